//! `vibeguard init --assistant`: a rules file per assistant, tailored to the stack a real
//! project's code and manifests show, written beside the user's own instructions.

mod common;

use std::fs;
use std::path::Path;

use common::{stderr, vibeguard, write};

/// A small app of each supported stack: its manifest and one route file.
/// A stack's label, its files (path, text) and the rules its file must hold.
type Stack = (
    &'static str,
    Vec<(&'static str, &'static str)>,
    Vec<&'static str>,
);

fn stacks() -> Vec<Stack> {
    vec![
        (
            "Express, Prisma",
            vec![
                (
                    "package.json",
                    "{\"dependencies\": {\"express\": \"4.21.2\", \"@prisma/client\": \"5.22.0\", \"jsonwebtoken\": \"9.0.2\", \"bcrypt\": \"5.1.1\"}}\n",
                ),
                (
                    "src/app.js",
                    "const express = require('express');\nconst app = express();\napp.get('/api/tasks/:id', (req, res) => res.json({}));\napp.listen(4000);\n",
                ),
            ],
            vec![
                "$queryRawUnsafe",
                "helmet()",
                "expiresIn",
                "express-rate-limit",
                "--target http://127.0.0.1:4000",
            ],
        ),
        (
            "Django",
            vec![
                (
                    "requirements.txt",
                    "django==5.1.4\ndjangorestframework==3.15.2\n",
                ),
                (
                    "shop/urls.py",
                    "from django.urls import path\nfrom . import views\nurlpatterns = [path('orders/<int:pk>/', views.order)]\n",
                ),
                (
                    "shop/views.py",
                    "from django.http import JsonResponse\ndef order(request, pk):\n    return JsonResponse({})\n",
                ),
            ],
            vec!["get_object_or_404", "never `__all__`", "DEBUG = False"],
        ),
        (
            "Flask, SQLAlchemy",
            vec![
                ("requirements.txt", "flask==3.1.0\nsqlalchemy==2.0.36\n"),
                (
                    "app.py",
                    "from flask import Flask\napp = Flask(__name__)\n@app.get('/notes/<int:note_id>')\ndef note(note_id):\n    return {}\n",
                ),
            ],
            vec!["text(\\\"… :name\\\")", "Flask-Limiter", "Flask-Talisman"],
        ),
        (
            "FastAPI",
            vec![
                ("requirements.txt", "fastapi==0.115.6\npyjwt==2.10.1\n"),
                (
                    "main.py",
                    "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/items/{item_id}')\ndef item(item_id: int):\n    return {}\n",
                ),
            ],
            vec!["response_model", "slowapi", "algorithms="],
        ),
        (
            "Rails",
            vec![
                (
                    "Gemfile",
                    "source 'https://rubygems.org'\ngem 'rails', '7.2.2'\n",
                ),
                (
                    "config/routes.rb",
                    "Rails.application.routes.draw do\n  resources :projects\nend\n",
                ),
                (
                    "app/controllers/projects_controller.rb",
                    "class ProjectsController < ApplicationController\n  def show\n    render json: Project.find(params[:id])\n  end\nend\n",
                ),
            ],
            vec![
                "current_user.tasks.find",
                "find_by_sql",
                "has_secure_password",
            ],
        ),
        (
            "Gin, GORM",
            vec![
                (
                    "go.mod",
                    "module example.com/shop\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgorm.io/gorm v1.25.12\n)\n",
                ),
                (
                    "main.go",
                    "package main\n\nimport \"github.com/gin-gonic/gin\"\n\nfunc main() {\n\tr := gin.Default()\n\tr.GET(\"/orders/:id\", func(c *gin.Context) {})\n\tr.Run()\n}\n",
                ),
            ],
            vec!["GORM", "WHERE id = $1 AND owner_id = $2", "x/crypto/bcrypt"],
        ),
    ]
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn each_stack_gets_its_own_rules_in_each_assistants_file() {
    let cache = tempfile::tempdir().expect("tempdir");
    for (label, files, expected) in stacks() {
        let project = tempfile::tempdir().expect("tempdir");
        let root = project.path();
        for (path, text) in &files {
            write(root, path, text);
        }
        let output = vibeguard(cache.path())
            .args(["init", "--assistant", "claude", "--assistant", "cursor"])
            .arg(root)
            .output()
            .expect("runs");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{label}: {}",
            stderr(&output)
        );
        let claude = read(&root.join("CLAUDE.md"));
        let first_words = label.split(", ").next().expect("framework");
        assert!(
            claude.contains(&format!("This project's stack: {first_words}")),
            "{label}:\n{claude}"
        );
        for rule in &expected {
            let rule = rule.replace("\\\"", "\"");
            assert!(
                claude.contains(&rule),
                "{label}: `{rule}` missing in:\n{claude}"
            );
        }
        assert!(
            claude.contains("Before every commit\n\nRun `vibeguard audit ."),
            "{claude}"
        );
        let cursor = read(&root.join(".cursor/rules/security.mdc"));
        assert!(cursor.starts_with("---\ndescription:"), "{cursor}");
        assert!(
            cursor.ends_with(&claude),
            "the same rules for every assistant"
        );
        assert!(
            !root.join("vibeguard.toml").exists(),
            "--assistant writes only the rules"
        );
    }
}

#[test]
fn the_rules_are_added_to_the_users_file_and_updated_in_place() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    write(
        root,
        "package.json",
        "{\"dependencies\": {\"express\": \"4.21.2\"}}\n",
    );
    write(
        root,
        "AGENTS.md",
        "# House rules\n\nRun `make lint` before pushing.\n",
    );
    write(
        root,
        ".github/copilot-instructions.md",
        "Answer in British English.",
    );
    let run = |assistant: &str| {
        let output = vibeguard(cache.path())
            .args(["init", "--assistant", assistant])
            .arg(root)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    };
    run("agents");
    run("copilot");
    let agents = read(&root.join("AGENTS.md"));
    assert!(
        agents.starts_with(
            "# House rules\n\nRun `make lint` before pushing.\n\n<!-- vibeguard:begin"
        )
    );
    assert!(
        !agents.contains("Mongo"),
        "no rule of a stack the project does not use"
    );
    // The user edits after the section; the project changes stack; the section follows it.
    fs::write(root.join("AGENTS.md"), format!("{agents}\n## Mine again\n")).expect("edit");
    write(
        root,
        "package.json",
        "{\"dependencies\": {\"express\": \"4.21.2\", \"mongoose\": \"8.9.0\"}}\n",
    );
    run("agents");
    let agents = read(&root.join("AGENTS.md"));
    assert_eq!(agents.matches("<!-- vibeguard:begin").count(), 1);
    assert!(agents.contains("MongoDB: cast input"), "{agents}");
    assert!(
        agents.starts_with("# House rules\n") && agents.ends_with("\n## Mine again\n"),
        "{agents}"
    );
    let copilot = read(&root.join(".github/copilot-instructions.md"));
    assert!(
        copilot.starts_with("Answer in British English.\n\n<!-- vibeguard:begin"),
        "{copilot}"
    );
    // A file with half a section is refused, untouched.
    fs::write(root.join("CLAUDE.md"), "<!-- vibeguard:begin\nmine\n").expect("write");
    let output = vibeguard(cache.path())
        .args(["init", "--assistant", "claude"])
        .arg(root)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("one vibeguard marker without the other"));
    assert_eq!(
        read(&root.join("CLAUDE.md")),
        "<!-- vibeguard:begin\nmine\n"
    );
}
