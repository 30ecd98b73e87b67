//! Measures the offline HMAC secret search: `jwt_keyspace SECONDS` signs a token with a key
//! outside every searched space and prints how many candidates per second the search tried,
//! on every core, within SECONDS (default 5). Used by `bench/jwt.sh`.

use std::time::Duration;

use serde_json::{Value, json};
use vibeguard_api::checks::jwt::{self, Jwt, Signing};

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    let (Value::Object(header), Value::Object(claims)) = (
        json!({"alg": "HS256", "typ": "JWT"}),
        json!({"sub": "42", "role": "user", "iat": 1_700_000_000}),
    ) else {
        unreachable!()
    };
    let token = jwt::encode(
        &header,
        &claims,
        Signing::Hmac("HS256", b"q8V!r2#Lw9zT@x4mN7pK"),
    );
    let Some(parsed) = Jwt::parse(&token) else {
        eprintln!("the token does not parse");
        std::process::exit(2);
    };
    let search = jwt::search_secret(&parsed, Duration::from_secs_f64(seconds));
    let rate = search.tried as f64 / search.elapsed.as_secs_f64();
    println!(
        "tried {} candidates in {:.2} s: {:.2} million per second; searched {}; cut at {}",
        search.tried,
        search.elapsed.as_secs_f64(),
        rate / 1e6,
        search.searched.join(", "),
        search.cut.as_deref().unwrap_or("nothing")
    );
}
