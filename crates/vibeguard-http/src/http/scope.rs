//! What the engine may contact: the target's origin (scheme, host, port), for an https target on
//! port 443 the same host's plain-HTTP port 80 (to see that it redirects), and the hosts the user
//! allowed explicitly. Everything else is refused before a connection is made.

use url::Url;

/// The allowed origins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    scheme: String,
    host: String,
    port: u16,
    /// Extra hosts, as `host` (any port of the target's scheme) or `host:port`.
    extra: Vec<(String, Option<u16>)>,
}

impl Scope {
    /// The scope of a target URL plus extra allowed hosts.
    pub fn new(target: &Url, allow_hosts: &[String]) -> Option<Scope> {
        let host = target.host_str()?.to_ascii_lowercase();
        let port = target.port_or_known_default()?;
        let extra = allow_hosts
            .iter()
            .map(|entry| {
                let entry = entry.trim().to_ascii_lowercase();
                match entry.rsplit_once(':') {
                    Some((host, port))
                        if !host.ends_with(']')
                            && port.chars().all(|c| c.is_ascii_digit())
                            && !host.contains(':') =>
                    {
                        (host.to_string(), port.parse().ok())
                    }
                    _ => (
                        entry
                            .trim_start_matches('[')
                            .trim_end_matches(']')
                            .to_string(),
                        None,
                    ),
                }
            })
            .collect();
        Some(Scope {
            scheme: target.scheme().to_string(),
            host,
            port,
            extra,
        })
    }

    /// Whether `url` may be contacted.
    pub fn allows(&self, url: &Url) -> bool {
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let same_host = host == self.host.trim_start_matches('[').trim_end_matches(']');
        if url.scheme() == self.scheme && same_host && port == self.port {
            return true;
        }
        // The plain-HTTP entrance of an https target on the standard port (port 80 of the same
        // host), where the transport check asks for a redirect to https.
        if self.scheme == "https"
            && self.port == 443
            && url.scheme() == "http"
            && same_host
            && port == 80
        {
            return true;
        }
        matches!(url.scheme(), "http" | "https")
            && self.extra.iter().any(|(allowed, allowed_port)| {
                allowed == host && allowed_port.is_none_or(|p| p == port)
            })
    }

    /// The origin, for messages: `http://127.0.0.1:8080`.
    pub fn origin(&self) -> String {
        format!("{}://{}:{}", self.scheme, self.host, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    #[test]
    fn only_the_origin_and_allowed_hosts_are_in_scope() {
        let scope = Scope::new(
            &url("http://127.0.0.1:8080/api"),
            &["auth.example.com".into(), "127.0.0.1:9000".into()],
        )
        .expect("scope");
        assert!(scope.allows(&url("http://127.0.0.1:8080/anything?x=1")));
        assert!(
            !scope.allows(&url("http://127.0.0.1:8081/")),
            "another port"
        );
        assert!(
            !scope.allows(&url("https://127.0.0.1:8080/")),
            "another scheme"
        );
        assert!(
            !scope.allows(&url("http://localhost:8080/")),
            "another host name"
        );
        assert!(scope.allows(&url("https://auth.example.com/token")));
        assert!(scope.allows(&url("http://127.0.0.1:9000/")));
        assert!(!scope.allows(&url("http://evil.example/")));
        assert!(!scope.allows(&url("file:///etc/passwd")));
        let default_port = Scope::new(&url("https://api.example.com"), &[]).expect("scope");
        assert!(default_port.allows(&url("https://api.example.com:443/x")));
        // Its plain-HTTP entrance on port 80, and nothing else of plain HTTP.
        assert!(default_port.allows(&url("http://api.example.com/")));
        assert!(!default_port.allows(&url("http://api.example.com:8080/")));
        assert!(!default_port.allows(&url("http://other.example.com/")));
        let other_port = Scope::new(&url("https://api.example.com:8443"), &[]).expect("scope");
        assert!(!other_port.allows(&url("http://api.example.com/")));
        // An http target never gains https or other ports.
        assert!(!scope.allows(&url("http://127.0.0.1:80/")));
    }
}
