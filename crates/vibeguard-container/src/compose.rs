//! A Compose file's services, as far as the rules read them: image, ports, environment,
//! volumes, privileges and namespaces. The YAML is read by a real parser (anchors and merge
//! keys included); lines are found afterwards in the text, for the findings' locations.

use serde_json::Value;

/// One service.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Its name.
    pub name: String,
    /// Its definition as parsed.
    pub definition: Value,
    /// The line its name is written on (1-based; 1 when not found).
    pub line: u32,
}

impl Service {
    /// The image it runs, if named.
    pub fn image(&self) -> Option<&str> {
        self.definition.get("image").and_then(Value::as_str)
    }

    /// Its environment as `(name, value)`, from a list of `NAME=value` or a map; a name
    /// without a value (taken from the host) has none.
    pub fn environment(&self) -> Vec<(String, Option<String>)> {
        match self.definition.get("environment") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(|item| match item.split_once('=') {
                    Some((name, value)) => (name.trim().to_string(), Some(value.to_string())),
                    None => (item.trim().to_string(), None),
                })
                .collect(),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(name, value)| {
                    let value = match value {
                        Value::Null => None,
                        Value::String(text) => Some(text.clone()),
                        other => Some(other.to_string()),
                    };
                    (name.clone(), value)
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Its published ports as `(host address, host port, container port)`; the host address
    /// is empty when the file names none (every interface).
    pub fn published_ports(&self) -> Vec<(String, String, String)> {
        let Some(Value::Array(ports)) = self.definition.get("ports") else {
            return Vec::new();
        };
        ports
            .iter()
            .filter_map(|port| match port {
                Value::String(text) => Some(short_port(text)),
                Value::Number(number) => Some((String::new(), String::new(), number.to_string())),
                Value::Object(map) => {
                    let field = |key: &str| {
                        map.get(key)
                            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                            .unwrap_or_default()
                    };
                    Some((field("host_ip"), field("published"), field("target")))
                }
                _ => None,
            })
            .collect()
    }

    /// The sources of its volumes (`/var/run/docker.sock:/var/run/docker.sock` → the host path).
    pub fn volume_sources(&self) -> Vec<String> {
        let Some(Value::Array(volumes)) = self.definition.get("volumes") else {
            return Vec::new();
        };
        volumes
            .iter()
            .filter_map(|volume| match volume {
                Value::String(text) => Some(text.split(':').next().unwrap_or("").to_string()),
                Value::Object(map) => map
                    .get("source")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                _ => None,
            })
            .collect()
    }

    /// A string or boolean setting (`privileged`, `network_mode`, `pid`).
    pub fn setting(&self, key: &str) -> Option<String> {
        match self.definition.get(key)? {
            Value::String(text) => Some(text.clone()),
            Value::Bool(flag) => Some(flag.to_string()),
            _ => None,
        }
    }

    /// A list setting (`cap_add`).
    pub fn list(&self, key: &str) -> Vec<String> {
        match self.definition.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// `"127.0.0.1:5432:5432"`, `"5432:5432"`, `"5432"`, `"8000-8010:8000-8010/tcp"`.
fn short_port(text: &str) -> (String, String, String) {
    let text = text.split('/').next().unwrap_or(text);
    // An IPv6 host address is bracketed: `[::1]:5432:5432`.
    let (address, rest) = match text.strip_prefix('[') {
        Some(after) => match after.split_once("]:") {
            Some((address, rest)) => (address.to_string(), rest),
            None => (String::new(), text),
        },
        None => (String::new(), text),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    match (address.is_empty(), parts.as_slice()) {
        (true, [host_ip, published, target]) => (
            host_ip.to_string(),
            published.to_string(),
            target.to_string(),
        ),
        (_, [published, target]) => (address, published.to_string(), target.to_string()),
        (_, [target]) => (address, String::new(), target.to_string()),
        _ => (address, String::new(), rest.to_string()),
    }
}

/// The services of a Compose file, or why it could not be read.
pub fn services(text: &str) -> Result<Vec<Service>, String> {
    let document: Value = serde_saphyr::from_str(text).map_err(|error| error.to_string())?;
    let Some(Value::Object(services)) = document.get("services") else {
        return Ok(Vec::new());
    };
    let mut services: Vec<Service> = services
        .iter()
        .map(|(name, definition)| Service {
            name: name.clone(),
            definition: definition.clone(),
            line: key_line(text, name, 1),
        })
        .collect();
    // In the file's order (the parsed map is sorted by name).
    services.sort_by_key(|service| service.line);
    Ok(services)
}

/// The first line at or after `from` (1-based) that writes `key:` as a mapping key; `from`
/// when there is none.
pub fn key_line(text: &str, key: &str, from: u32) -> u32 {
    let skip = usize::try_from(from.saturating_sub(1)).unwrap_or(0);
    text.lines()
        .enumerate()
        .skip(skip)
        .find(|(_, line)| {
            let line = line.trim_start().trim_start_matches("- ");
            let line = line.trim_start_matches(['"', '\'']);
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start_matches(['"', '\'']).starts_with(':'))
        })
        .map_or(from, |(index, _)| u32::try_from(index + 1).unwrap_or(from))
}

/// The first line at or after `from` that contains `needle`; `from` when there is none.
pub fn text_line(text: &str, needle: &str, from: u32) -> u32 {
    let skip = usize::try_from(from.saturating_sub(1)).unwrap_or(0);
    text.lines()
        .enumerate()
        .skip(skip)
        .find(|(_, line)| line.contains(needle))
        .map_or(from, |(index, _)| u32::try_from(index + 1).unwrap_or(from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_ports_environment_and_volumes_are_read_in_every_spelling() {
        let text = "services:\n  db:\n    image: postgres:16\n    ports: [\"5432:5432\", \"127.0.0.1:6543:5432\", {target: 5432, published: 15432, host_ip: 0.0.0.0}]\n    environment:\n      POSTGRES_PASSWORD: hunter2\n      POSTGRES_USER:\n  app:\n    image: node:20\n    environment: [\"SECRET=${SECRET}\", \"PLAIN\"]\n    volumes: [\"/var/run/docker.sock:/var/run/docker.sock\", {type: bind, source: ./src, target: /app}]\n";
        let services = services(text).expect("parsed");
        let db = services.iter().find(|s| s.name == "db").expect("db");
        assert_eq!(db.line, 2);
        assert_eq!(db.image(), Some("postgres:16"));
        assert_eq!(
            db.published_ports(),
            vec![
                (String::new(), "5432".into(), "5432".into()),
                ("127.0.0.1".into(), "6543".into(), "5432".into()),
                ("0.0.0.0".into(), "15432".into(), "5432".into()),
            ]
        );
        assert_eq!(
            db.environment()[0],
            ("POSTGRES_PASSWORD".into(), Some("hunter2".into()))
        );
        assert_eq!(db.environment()[1], ("POSTGRES_USER".into(), None));
        let app = services.iter().find(|s| s.name == "app").expect("app");
        assert_eq!(app.environment()[1], ("PLAIN".into(), None));
        assert_eq!(
            app.volume_sources(),
            vec!["/var/run/docker.sock".to_string(), "./src".into()]
        );
        assert_eq!(key_line(text, "POSTGRES_PASSWORD", db.line), 6);
        assert!(super::services("services: [").is_err());
    }
}
