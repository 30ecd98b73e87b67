//! VG608 compose-database-published: a database service publishes its port on every interface
//! of the host (`"5432:5432"`), where only the app needs to reach it.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::ComposeRule;
use super::at_line;
use crate::ComposeSource;
use crate::compose::key_line;
use crate::dockerfile::ImageRef;

/// The rule.
#[derive(Debug)]
pub struct ComposeDatabasePublished;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG608"),
    name: Cow::Borrowed("compose-database-published"),
    engine: EngineId::Container,
    summary: Cow::Borrowed("A Compose database service publishes its port on every interface"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[668, 284]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Cont01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A service running a database or cache image (PostgreSQL, MySQL, MariaDB, MongoDB, \
             Redis, Valkey, Memcached, Elasticsearch, OpenSearch, CouchDB, Cassandra, SQL \
             Server, RabbitMQ, ClickHouse, InfluxDB) whose `ports` publish a port without a \
             host address or on `0.0.0.0`/`::`. A port bound to `127.0.0.1` passes.",
        ),
        why: Cow::Borrowed(
            "Docker publishes ports past the host's firewall rules: `\"5432:5432\"` puts the \
             database on the internet on any server with a public address, where scanners find \
             Redis and MongoDB without passwords within hours. The app reaches the database on \
             the Compose network; nothing else needs the port.",
        ),
        example_bad: Cow::Borrowed("  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]"),
        example_fixed: Cow::Borrowed(
            "  db:\n    image: postgres:16\n    # no ports: the app reaches db:5432 on the Compose network\n    # (for local tools: \"127.0.0.1:5432:5432\")",
        ),
        fix: Cow::Borrowed(
            "Remove the `ports` of the database (services reach it by name on the Compose \
             network), or bind it to `127.0.0.1` for local tools.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.docker.com/engine/network/packet-filtering-firewalls/"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/668.html"),
        ]),
    },
};

const DATABASES: &[&str] = &[
    "postgres",
    "postgis",
    "mysql",
    "mariadb",
    "mongo",
    "mongodb",
    "redis",
    "valkey",
    "memcached",
    "elasticsearch",
    "opensearch",
    "couchdb",
    "cassandra",
    "mssql",
    "mssql-server",
    "rabbitmq",
    "clickhouse-server",
    "clickhouse",
    "influxdb",
    "neo4j",
    "keydb",
];

impl ComposeRule for ComposeDatabasePublished {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, compose: &ComposeSource, findings: &mut Vec<Finding>) {
        for service in &compose.services {
            let Some(image) = service.image() else {
                continue;
            };
            let name = ImageRef::parse(image).short_name();
            if !DATABASES.contains(&name.as_str()) {
                continue;
            }
            for (address, published, target) in service.published_ports() {
                if !(address.is_empty() || address == "0.0.0.0" || address == "::") {
                    continue;
                }
                let shown = if published.is_empty() {
                    target.clone()
                } else {
                    published.clone()
                };
                findings.push(at_line(
                    &META,
                    &compose.path,
                    key_line(&compose.text, "ports", service.line),
                    format!(
                        "the database service `{}` ({image}) publishes port {shown} on every interface of the host",
                        service.name
                    ),
                    format!("published:{}:{target}", service.name),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;
    use crate::rules::testing::check;

    #[test]
    fn databases_published_on_every_interface_are_found_and_loopback_or_apps_pass() {
        let (found, _) = check(
            Rule::Compose(&ComposeDatabasePublished),
            &[(
                "compose.yaml",
                "services:\n  db:\n    image: postgres:16\n    ports:\n      - \"5432:5432\"\n  cache:\n    image: docker.io/library/redis:7\n    ports: [\"0.0.0.0:6379:6379\"]\n  local:\n    image: mongo:7\n    ports: [\"127.0.0.1:27017:27017\"]\n  web:\n    image: node:20\n    ports: [\"3000:3000\"]\n",
            )],
        );
        assert_eq!(found, ["compose.yaml:4", "compose.yaml:8"]);
    }
}
