//! Downloads for `vibeguard db update`: one GET streamed to a file, with a size cap, an idle
//! timeout and an overall timeout, over rustls with the operating system's trust store. A few
//! redirects are followed (mirrors use them), never to a non-HTTP scheme. The body must match
//! its `Content-Length` when the server sends one, so a connection cut halfway is an error,
//! not a short file.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use url::Url;

const USER_AGENT: &str = concat!("vibeguard/", env!("CARGO_PKG_VERSION"));
const MAX_REDIRECTS: usize = 5;

/// Bounds on one download.
#[derive(Debug, Clone, Copy)]
pub struct DownloadLimits {
    /// Largest body accepted.
    pub max_bytes: u64,
    /// Longest wait for the next bytes.
    pub idle: Duration,
    /// Longest whole download.
    pub total: Duration,
}

impl Default for DownloadLimits {
    fn default() -> Self {
        DownloadLimits {
            max_bytes: 4 * 1024 * 1024 * 1024,
            idle: Duration::from_secs(60),
            total: Duration::from_secs(30 * 60),
        }
    }
}

/// Downloads `url` into `destination` (created or truncated); returns the bytes written.
pub fn fetch(url: &Url, destination: &Path, limits: DownloadLimits) -> anyhow::Result<u64> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the download runtime")?;
    runtime.block_on(async {
        match tokio::time::timeout(limits.total, fetch_async(url, destination, limits)).await {
            Ok(result) => result,
            Err(_) => bail!(
                "{url}: the download took longer than {} s",
                limits.total.as_secs()
            ),
        }
    })
}

async fn fetch_async(url: &Url, destination: &Path, limits: DownloadLimits) -> anyhow::Result<u64> {
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.set_connect_timeout(Some(limits.idle));
    http.enforce_http(false);
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .try_with_platform_verifier()
        .context("cannot set up TLS")?
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(https);

    let mut current = url.clone();
    for _ in 0..=MAX_REDIRECTS {
        if !matches!(current.scheme(), "http" | "https") {
            bail!("{current}: only http and https URLs can be downloaded");
        }
        let request = hyper::Request::get(current.as_str())
            .header("user-agent", USER_AGENT)
            .body(Empty::new())
            .with_context(|| format!("{current} is not a URL a request can be made to"))?;
        let response = tokio::time::timeout(limits.idle, client.request(request))
            .await
            .map_err(|_| {
                anyhow::anyhow!("{current}: no answer within {} s", limits.idle.as_secs())
            })?
            .with_context(|| format!("cannot reach {current}"))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get("location")
                .and_then(|value| value.to_str().ok())
                .with_context(|| format!("{current}: a redirect without a Location"))?;
            current = current
                .join(location)
                .with_context(|| format!("{current}: redirect to `{location}` is not a URL"))?;
            continue;
        }
        if !status.is_success() {
            bail!("{current} answered {status}");
        }
        let declared: Option<u64> = response
            .headers()
            .get("content-length")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok());
        if let Some(declared) = declared
            && declared > limits.max_bytes
        {
            bail!(
                "{current}: {declared} bytes is more than the {} allowed",
                limits.max_bytes
            );
        }
        let mut file = std::fs::File::create(destination)
            .with_context(|| format!("cannot create {}", destination.display()))?;
        let mut body = response.into_body();
        let mut written: u64 = 0;
        loop {
            let frame = tokio::time::timeout(limits.idle, body.frame())
                .await
                .map_err(|_| {
                    anyhow::anyhow!(
                        "{current}: the download stalled for {} s after {written} bytes",
                        limits.idle.as_secs()
                    )
                })?;
            let Some(frame) = frame else { break };
            let frame = frame.with_context(|| {
                format!("{current}: the connection broke after {written} bytes")
            })?;
            if let Ok(data) = frame.into_data() {
                written += data.len() as u64;
                if written > limits.max_bytes {
                    bail!(
                        "{current}: more than the {} bytes allowed",
                        limits.max_bytes
                    );
                }
                file.write_all(&data)
                    .with_context(|| format!("cannot write {}", destination.display()))?;
            }
        }
        file.sync_all()
            .with_context(|| format!("cannot write {}", destination.display()))?;
        if let Some(declared) = declared
            && declared != written
        {
            bail!("{current}: received {written} of {declared} bytes; the download is incomplete");
        }
        return Ok(written);
    }
    bail!("{url}: more than {MAX_REDIRECTS} redirects")
}
