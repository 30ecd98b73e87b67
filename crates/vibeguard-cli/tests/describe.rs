//! `vibeguard describe`: the operations derived from the code, written as an OpenAPI document
//! that the official OpenAPI JSON Schemas accept and that vibeguard's own loader reads back to
//! the same operations — on the testbed apps (four frameworks, written by others' conventions)
//! and on a project written here.

use std::fs;
use std::path::Path;

use common::{repo_file, stderr, vibeguard, write};
use serde_json::Value;
use vibeguard_api::spec::load_documents::Documents;
use vibeguard_api::spec::{ApiSpec, DeclaredRoute, Operation, parse_document, routes::derive};
use vibeguard_core::RouteEntry;

mod common;

fn schema_errors(schema: &str, instance: &Value) -> Vec<String> {
    let path = repo_file(&format!("crates/vibeguard-api/tests/schemas/{schema}"));
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(path).expect("schema")).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Runs `describe` on `project`, writing `file` in `dir`; the document as JSON.
fn describe(dir: &Path, project: &Path, file: &str, version: &str) -> (String, Value) {
    let out = dir.join(file);
    let output = vibeguard(dir)
        .args(["describe", "--openapi", version, "-o"])
        .arg(&out)
        .arg(project)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = fs::read_to_string(&out).expect("document written");
    let root = parse_document(file, &text).expect("the document parses");
    (text, root)
}

/// What the loader reads from a document, comparable with what was derived.
fn comparable(spec: &ApiSpec) -> Vec<Operation> {
    let mut operations: Vec<Operation> = spec
        .operations
        .iter()
        .cloned()
        .map(|mut operation| {
            operation.pointer.clear();
            operation.responses.clear();
            if let Some(body) = &mut operation.body {
                body.schema.properties.sort_by(|a, b| a.0.cmp(&b.0));
            }
            operation
        })
        .collect();
    operations.sort_by_key(Operation::label);
    operations
}

/// The operations derived from the routes `vibeguard routes` lists.
fn derived(dir: &Path, project: &Path) -> ApiSpec {
    let output = vibeguard(dir)
        .args(["routes", "--format", "json"])
        .arg(project)
        .output()
        .expect("runs");
    let routes: Vec<RouteEntry> = serde_json::from_slice(&output.stdout).expect("routes JSON");
    derive(&routes.iter().map(DeclaredRoute::from).collect::<Vec<_>>())
}

#[test]
fn the_testbed_apps_descriptions_validate_against_the_official_schemas_and_round_trip() {
    let dir = tempfile::tempdir().expect("temp dir");
    for app in [
        "express_expenses",
        "flask_library",
        "fastapi_venues",
        "django_helpdesk",
        "flask_journal",
    ] {
        let project = repo_file(&format!("testbed/{app}"));
        let expected = derived(dir.path(), &project);
        assert!(
            expected.operations.len() >= 5,
            "{app}: only {} operations derived",
            expected.operations.len()
        );
        for (file, version, schema) in [
            ("d31.json", "3.1", "openapi-3.1-schema.json"),
            ("d31.yaml", "3.1", "openapi-3.1-schema.json"),
            ("d30.yml", "3.0", "openapi-3.0-schema.json"),
        ] {
            let (text, root) = describe(dir.path(), &project, file, version);
            if file.ends_with(".json") {
                assert!(text.trim_start().starts_with('{'), "{app} {file}: JSON");
            } else {
                assert!(text.starts_with("components:") || text.starts_with("info:"));
            }
            let errors = schema_errors(schema, &root);
            assert!(errors.is_empty(), "{app} {file}:\n{}", errors.join("\n"));
            let read = ApiSpec::from_documents(&Documents::single(file, root)).expect("OpenAPI");
            assert!(
                read.problems.is_empty(),
                "{app} {file}: {:?}",
                read.problems
            );
            assert_eq!(
                comparable(&read),
                comparable(&expected),
                "{app} {file}: read back differently"
            );
        }
    }
}

#[test]
fn a_described_operation_says_where_it_is_declared_and_what_was_not_inferred() {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("notes");
    write(
        &project,
        "package.json",
        r#"{"name": "notes", "dependencies": {"express": "4.21.2"}}"#,
    );
    write(
        &project,
        "server.js",
        r#"const express = require('express');
const jwt = require('jsonwebtoken');
const app = express();
app.use(express.json());

function requireUser(req, res, next) {
  const token = (req.headers.authorization || '').replace('Bearer ', '');
  try { req.user = jwt.verify(token, process.env.KEY); next(); }
  catch (e) { return res.status(401).json({ error: 'unauthorised' }); }
}

app.post('/api/login', (req, res) => {
  const { email, password } = req.body;
  res.json({ token: jwt.sign({ email }, process.env.KEY) });
});
app.get('/api/notes', requireUser, (req, res) => res.json([]));
app.delete('/api/notes/:id', requireUser, (req, res) => res.status(204).end());
app.listen(3999);
"#,
    );
    let (_, root) = describe(dir.path(), &project, "notes.json", "3.1");
    assert_eq!(root["openapi"], "3.1.0");
    let login = &root["paths"]["/api/login"]["post"];
    assert_eq!(login["x-vibeguard-source"], "server.js:12");
    assert!(login.get("security").is_none(), "not secured by the code");
    let fields: Vec<&str> =
        login["requestBody"]["content"]["application/json"]["schema"]["properties"]
            .as_object()
            .expect("fields")
            .keys()
            .map(String::as_str)
            .collect();
    assert_eq!(fields, ["email", "password"]);
    let delete = &root["paths"]["/api/notes/{id}"]["delete"];
    assert_eq!(delete["x-vibeguard-source"], "server.js:17");
    assert_eq!(delete["parameters"][0]["in"], "path");
    assert_eq!(delete["security"][0]["code"], serde_json::json!([]));
    let not_inferred = delete["x-vibeguard-not-inferred"].to_string();
    assert!(
        not_inferred.contains("authentication scheme"),
        "{not_inferred}"
    );
    assert!(
        not_inferred.contains("path parameter types"),
        "{not_inferred}"
    );
    assert!(schema_errors("openapi-3.1-schema.json", &root).is_empty());

    // The validation itself can fail: a document without `info` is refused.
    let mut broken = root.clone();
    broken.as_object_mut().expect("object").remove("info");
    assert!(!schema_errors("openapi-3.1-schema.json", &broken).is_empty());
}

#[test]
fn a_rails_apps_resources_become_operations_with_their_filters_and_permitted_fields() {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("shop");
    write(
        &project,
        "Gemfile",
        "source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\n",
    );
    write(
        &project,
        "config/routes.rb",
        r#"Rails.application.routes.draw do
  namespace :api do
    post "login", to: "sessions#create"
    resources :orders, only: %i[index show create destroy]
  end
end
"#,
    );
    write(
        &project,
        "app/controllers/api/base_controller.rb",
        r#"module Api
  class BaseController < ActionController::API
    before_action :authenticate_request

    private

    def authenticate_request
      @current_user = User.find_by(api_token: request.headers["Authorization"])
      head :unauthorized unless @current_user
    end
  end
end
"#,
    );
    write(
        &project,
        "app/controllers/api/sessions_controller.rb",
        "module Api\n  class SessionsController < BaseController\n    skip_before_action :authenticate_request\n    def create\n      user = User.find_by(email: params[:email])\n    end\n  end\nend\n",
    );
    write(
        &project,
        "app/controllers/api/orders_controller.rb",
        "module Api\n  class OrdersController < BaseController\n    def create\n      render json: Order.create!(order_params)\n    end\n    private\n    def order_params\n      params.require(:order).permit(:item, :quantity)\n    end\n  end\nend\n",
    );
    let (_, root) = describe(dir.path(), &project, "shop.json", "3.1");
    let paths = root["paths"].as_object().expect("paths");
    let mut operations: Vec<String> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("item")
                .keys()
                .filter(|method| method.as_str() != "parameters")
                .map(move |method| format!("{} {path}", method.to_ascii_uppercase()))
        })
        .collect();
    operations.sort();
    assert_eq!(
        operations,
        [
            "DELETE /api/orders/{id}",
            "GET /api/orders",
            "GET /api/orders/{id}",
            "POST /api/login",
            "POST /api/orders",
        ]
    );
    let create = &paths["/api/orders"]["post"];
    assert_eq!(create["x-vibeguard-source"], "config/routes.rb:4");
    assert!(create.get("security").is_some(), "{create}");
    let fields: Vec<&str> =
        create["requestBody"]["content"]["application/json"]["schema"]["properties"]
            .as_object()
            .expect("fields")
            .keys()
            .map(String::as_str)
            .collect();
    assert_eq!(fields, ["item", "quantity"]);
    // The login skips the filter: public.
    assert!(paths["/api/login"]["post"].get("security").is_none());
    assert!(schema_errors("openapi-3.1-schema.json", &root).is_empty());
}

#[test]
fn describe_refuses_an_unknown_version_and_several_outputs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = vibeguard(dir.path())
        .args(["describe", "--openapi", "2.0"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(stderr(&output).contains("3.1"), "{}", stderr(&output));
    let output = vibeguard(dir.path())
        .args(["describe", "-o", "a.json", "-o", "b.json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("-o once"), "{}", stderr(&output));
}

#[test]
fn recorded_traffic_joins_the_code_in_the_document() {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("notes");
    write(
        &project,
        "server.js",
        "const express = require('express');\nconst app = express();\napp.post('/api/login', (req, res) => res.json({}));\napp.get('/api/health', (req, res) => res.json({ ok: true }));\napp.listen(8123);\n",
    );
    let har = repo_file("crates/vibeguard-api/tests/fixtures/traffic/firefox-notes.har");
    let out = dir.path().join("merged.json");
    let output = vibeguard(dir.path())
        .args(["describe", "--target", "http://127.0.0.1:8123", "--traffic"])
        .arg(&har)
        .arg("-o")
        .arg(&out)
        .arg(&project)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let root: Value =
        serde_json::from_str(&fs::read_to_string(&out).expect("written")).expect("json");
    // The login is in both: the recording's wins, the code's source is kept beside it.
    let login = &root["paths"]["/api/login"]["post"];
    assert_eq!(login["x-vibeguard-origin"], "traffic");
    // Only the code has the health route; only the recording the notes.
    assert_eq!(
        root["paths"]["/api/health"]["get"]["x-vibeguard-origin"],
        "code"
    );
    assert_eq!(
        root["paths"]["/api/notes/{id}"]["delete"]["x-vibeguard-origin"],
        "traffic"
    );
    assert!(schema_errors("openapi-3.1-schema.json", &root).is_empty());
    // No recorded password or session in the document.
    let text = root.to_string();
    assert!(!text.contains("correct-horse-battery") && !text.contains("qX1Zr8wPp0rTQ7mM2Kd9"));

    let output = vibeguard(dir.path())
        .args(["describe", "--traffic"])
        .arg(&har)
        .arg(&project)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--target"), "{}", stderr(&output));
}
