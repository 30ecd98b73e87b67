//! A Rails app end to end: controllers and models are analysed across files, every rule reads
//! Ruby, and a scaffolded API's flaws are found while its hardened twin stays clean.

use vibeguard_code::{CodeOptions, run};
use vibeguard_project::{ProjectTree, WalkOptions};

fn write(root: &std::path::Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("folders");
    std::fs::write(full, text).expect("write");
}

#[test]
fn a_rails_app_is_read_across_files_and_every_rule_reads_it() {
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
    // Every rule reads Ruby: the Rails app is not listed among what was not tested.
    assert!(
        !output
            .output
            .run
            .untested
            .iter()
            .any(|u| u.place.starts_with("the Rails app")),
        "{:?}",
        output.output.run.untested
    );
}

/// The files of a small Rails API written the way generators and assistants write it: a
/// scaffolded posts controller whose `set_post` filter loads by `params[:id]`, a users
/// controller that renders whole records, a session login, and `has_secure_password`.
fn blog(hardened: bool) -> Vec<(&'static str, String)> {
    let pick = |bad: &str, good: &str| {
        if hardened {
            good.to_string()
        } else {
            bad.to_string()
        }
    };
    vec![
        (
            "config/routes.rb",
            "Rails.application.routes.draw do\n  resources :posts\n  resources :comments, only: [:destroy]\n  resources :users, only: [:index, :show, :create]\n  resource :session, only: [:create, :destroy]\n  namespace :admin do\n    resources :users, only: [:destroy]\n  end\nend\n".to_string(),
        ),
        (
            "app/controllers/application_controller.rb",
            "class ApplicationController < ActionController::API\n  before_action :authenticate_user!\n\n  private\n\n  def authenticate_user!\n    head :unauthorized unless current_user\n  end\n\n  def current_user\n    @current_user ||= User.find_by(id: session[:user_id])\n  end\nend\n".to_string(),
        ),
        (
            "app/controllers/posts_controller.rb",
            format!(
                "class PostsController < ApplicationController\n{}  before_action :set_post, only: %i[show update destroy]\n\n  def index\n    render json: Post.all\n  end\n\n  def show\n    render json: @post\n  end\n\n  def create\n    post = current_user.posts.create!(post_params)\n    render json: post, status: :created\n  end\n\n  def update\n    @post.update(post_params)\n    render json: @post\n  end\n\n  def destroy\n    @post.destroy\n    head :no_content\n  end\n\n  private\n\n  def set_post\n    @post = {}\n  end\n\n  def post_params\n    params.require(:post).permit(:title, :body)\n  end\nend\n",
                pick("  skip_before_action :authenticate_user!, only: [:index, :show, :destroy]\n", "  skip_before_action :authenticate_user!, only: [:index, :show]\n"),
                pick("Post.find(params[:id])", "current_user.posts.find(params[:id])"),
            ),
        ),
        (
            "app/controllers/comments_controller.rb",
            "class CommentsController < ApplicationController\n  before_action :set_comment\n\n  def destroy\n    @comment.destroy\n    head :no_content\n  end\n\n  private\n\n  def set_comment\n    @comment = Comment.find(params[:id])\n    head :forbidden unless @comment.deletable_by?(current_user)\n  end\nend\n".to_string(),
        ),
        (
            "app/controllers/users_controller.rb",
            format!(
                "class UsersController < ApplicationController\n  skip_before_action :authenticate_user!, only: [:create]\n\n  def index\n    render json: {}\n  end\n\n  def show\n    @user = User.find(params[:id])\n    render json: {}\n  end\n\n  def create\n    user = User.create!(user_params)\n    render json: {{ id: user.id }}, status: :created\n  end\n\n  private\n\n  def user_params\n    params.require(:user).permit(:email, :password)\n  end\nend\n",
                pick("User.all", "User.select(:id, :email)"),
                pick("@user", "@user, only: [:id, :email]"),
            ),
        ),
        (
            "app/controllers/sessions_controller.rb",
            format!(
                "class SessionsController < ApplicationController\n  skip_before_action :authenticate_user!, only: [:create]\n{}\n  def create\n    user = User.find_by(email: params[:email])\n    if user&.authenticate(params[:password])\n      session[:user_id] = user.id\n      head :ok\n    else\n      head :unauthorized\n    end\n  end\n\n  def destroy\n    reset_session\n    head :no_content\n  end\nend\n",
                pick("", "  rate_limit to: 10, within: 3.minutes, only: :create\n"),
            ),
        ),
        (
            "app/controllers/admin/users_controller.rb",
            "module Admin\n  class UsersController < ApplicationController\n    before_action :require_admin\n\n    def destroy\n      User.find(params[:id]).destroy\n      head :no_content\n    end\n\n    private\n\n    def require_admin\n      head :forbidden unless current_user.admin?\n    end\n  end\nend\n".to_string(),
        ),
        (
            "app/models/user.rb",
            "class User < ApplicationRecord\n  has_secure_password\n  has_many :posts\nend\n".to_string(),
        ),
        (
            "app/models/post.rb",
            "class Post < ApplicationRecord\n  belongs_to :user\nend\n".to_string(),
        ),
        (
            "db/schema.rb",
            "ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\n  create_table \"users\", force: :cascade do |t|\n    t.string \"email\", null: false\n    t.string \"password_digest\", null: false\n    t.boolean \"admin\", default: false\n  end\n\n  create_table \"posts\", force: :cascade do |t|\n    t.string \"title\"\n    t.text \"body\"\n    t.references \"user\"\n  end\nend\n".to_string(),
        ),
    ]
}

fn findings_of(files: &[(&str, String)], codes: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    let tree = ProjectTree::walk(dir.path(), &WalkOptions::default()).expect("walk");
    let output = run(&tree, &|_| true, &CodeOptions::default());
    if std::env::var("DEBUG_RAILS").is_ok() {
        let _ = std::fs::remove_dir_all("/tmp/rb");
        for (path, text) in files {
            write(std::path::Path::new("/tmp/rb"), path, text);
        }
    }
    let mut found: Vec<String> = output
        .output
        .findings
        .iter()
        .filter(|f| codes.contains(&f.code.as_ref()))
        .map(|f| {
            format!(
                "{} {}:{}",
                f.code,
                f.location.file().unwrap_or_default(),
                f.location.span().map_or(0, |s| s.start_line)
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn a_scaffolded_rails_api_has_its_route_record_and_ownership_flaws_found_and_its_twin_none() {
    let codes = ["VG109", "VG110", "VG111", "VG112", "VG122"];
    assert_eq!(
        findings_of(&blog(false), &codes),
        [
            "VG109 app/controllers/users_controller.rb:10",
            "VG109 app/controllers/users_controller.rb:5",
            "VG110 app/controllers/posts_controller.rb:19",
            "VG110 app/controllers/posts_controller.rb:24",
            "VG111 config/routes.rb:2",
            "VG122 config/routes.rb:5",
        ]
    );
    assert_eq!(findings_of(&blog(true), &codes), Vec::<String>::new());
}

#[test]
fn database_yml_passwords_are_found_outside_the_test_environment() {
    let config = "default: &default\n  adapter: postgresql\n  username: shop\n\ndevelopment:\n  <<: *default\n  password: <%= ENV[\"DB_PASSWORD\"] %>\n\ntest:\n  <<: *default\n  password: test-only-pw\n\nproduction:\n  <<: *default\n  password: Sup3rS3cretPw\n  url: postgres://shop:An0therPw@db/shop # replica\n";
    let files = [
        ("config/database.yml", config.to_string()),
        (
            "app/models/user.rb",
            "class User < ApplicationRecord\nend\n".to_string(),
        ),
    ];
    assert_eq!(
        findings_of(&files, &["VG126"]),
        [
            "VG126 config/database.yml:15",
            "VG126 config/database.yml:16"
        ]
    );
    let clean = [(
        "config/database.yml",
        "production:\n  adapter: postgresql\n  password: <%= ENV.fetch(\"DB_PASSWORD\") %>\n"
            .to_string(),
    )];
    assert_eq!(findings_of(&clean, &["VG126"]), Vec::<String>::new());
}
