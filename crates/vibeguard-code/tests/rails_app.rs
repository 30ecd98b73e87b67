//! A Rails app end to end: controllers and models are analysed across files, and the rules that
//! do not read Ruby are named as not tested there (never a pass).

use vibeguard_code::{CodeOptions, run};
use vibeguard_project::{ProjectTree, WalkOptions};

fn write(root: &std::path::Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("folders");
    std::fs::write(full, text).expect("write");
}

#[test]
fn a_rails_app_is_read_across_files_and_the_rules_blind_to_ruby_say_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "config/routes.rb",
        "Rails.application.routes.draw do\n  resources :posts, only: [:index]\nend\n",
    );
    write(
        root,
        "app/controllers/posts_controller.rb",
        "class PostsController < ApplicationController\n  def index\n    @posts = Post.search_title(params[:term])\n    render json: @posts\n  end\nend\n",
    );
    write(
        root,
        "app/models/post.rb",
        "class Post < ApplicationRecord\n  def self.search_title(term)\n    where(\"title LIKE '%\" + term + \"%'\")\n  end\n\n  def self.safe_title(term)\n    where('title LIKE ?', \"%#{term}%\")\n  end\nend\n",
    );
    let tree = ProjectTree::walk(root, &WalkOptions::default()).expect("walk");
    let output = run(&tree, &|_| true, &CodeOptions::default());
    let sql: Vec<String> = output
        .output
        .findings
        .iter()
        .filter(|f| f.code == "VG101")
        .map(|f| {
            format!(
                "{}:{}",
                f.location.file().unwrap_or_default(),
                f.location.span().map_or(0, |s| s.start_line)
            )
        })
        .collect();
    assert_eq!(
        sql,
        ["app/models/post.rb:3"],
        "{:#?}",
        output.output.findings
    );
    let untested = output
        .output
        .run
        .untested
        .iter()
        .find(|u| u.place.starts_with("the Rails app"))
        .expect("the Rails app is named");
    let blind: Vec<&str> = untested.rules.iter().map(|r| r.as_ref()).collect();
    for code in ["VG102", "VG109", "VG111", "VG121"] {
        assert!(
            blind.contains(&code),
            "{code} does not read Ruby: {blind:?}"
        );
    }
    for code in [
        "VG101", "VG103", "VG105", "VG106", "VG108", "VG128", "VG129", "VG130",
    ] {
        assert!(!blind.contains(&code), "{code} reads Ruby: {blind:?}");
    }
}
