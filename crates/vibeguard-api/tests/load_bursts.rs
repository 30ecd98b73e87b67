//! Which reads get a load burst (VG431), against real servers on 127.0.0.1: the slowest read of
//! the coverage round gets one only when it is still slow measured alone after the clean-up —
//! a read that was slow because the round kept the server busy gets none, so the same target
//! gets the same bursts from run to run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use serde_json::json;
use url::Url;
use vibeguard_api::engine::{self, ApiSettings};
use vibeguard_api::spec::SpecSource;

async fn serve(app: Router) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// An API with a search and a report; the report answers slowly to its first `slow_for`
/// requests (all of them when `None`), and counts what it was sent.
fn reports_app(slow_for: Option<usize>, report_requests: Arc<AtomicUsize>) -> Router {
    let description = json!({
        "openapi": "3.0.3",
        "info": {"title": "reports", "version": "1"},
        "paths": {
            "/api/items": {"get": {
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "items"}}
            }},
            "/api/report": {"get": {"responses": {"200": {"description": "the report"}}}}
        }
    });
    Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let description = description.clone();
                async move { axum::Json(description) }
            }),
        )
        .route("/api/items", get(|| async { axum::Json(json!([])) }))
        .route(
            "/api/report",
            get(move || {
                let seen = report_requests.fetch_add(1, Ordering::SeqCst);
                async move {
                    if slow_for.is_none_or(|slow_for| seen < slow_for) {
                        tokio::time::sleep(Duration::from_millis(250)).await;
                    }
                    axum::Json(json!({"total": 3}))
                }
            }),
        )
}

async fn report_requests_of_a_run(slow_for: Option<usize>) -> usize {
    let seen = Arc::new(AtomicUsize::new(0));
    let target = serve(reports_app(slow_for, seen.clone())).await;
    let settings = ApiSettings {
        seed: 1,
        ..ApiSettings::new(
            target.clone(),
            SpecSource::Url(target.join("/openapi.json").expect("url")),
        )
    };
    engine::run(&settings, &|code| code == "VG431", &|_| None)
        .await
        .expect("runs");
    seen.load(Ordering::SeqCst)
}

#[tokio::test]
async fn the_slowest_read_is_burst_only_when_it_is_still_slow_alone() {
    // Slow in the coverage round only: five quiet requests show it is not, and no burst goes.
    let busy_once = report_requests_of_a_run(Some(1)).await;
    assert!(
        (2..=8).contains(&busy_once),
        "{busy_once} requests to a read slow only once"
    );
    // Slow every time: the quiet measure confirms it, and the burst goes.
    let always_slow = report_requests_of_a_run(None).await;
    assert!(
        always_slow > 50,
        "{always_slow} requests to a read slow every time"
    );
}
