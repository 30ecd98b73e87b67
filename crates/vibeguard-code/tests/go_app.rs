//! Go services end to end: routes of every Go router with their prefixes and middleware
//! (groups, `Use`, wrapping, routers handed to other packages' functions), request data
//! followed across packages, and every rule reading Go (none named as not tested there).

use vibeguard_code::{CodeOptions, routes, run};
use vibeguard_project::{ProjectTree, WalkOptions};

fn write(root: &std::path::Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("folders");
    std::fs::write(full, text).expect("write");
}

/// `METHOD path framework auth|open` per route, in inventory order.
fn route_lines(files: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    let tree = ProjectTree::walk(dir.path(), &WalkOptions::default()).expect("walk");
    let (entries, errors) = routes(&tree, &CodeOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    entries
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {}",
                e.method,
                e.path,
                e.framework,
                if e.authenticated { "auth" } else { "open" }
            )
        })
        .collect()
}

const GIN_MAIN: &str = r#"package main

import (
	"database/sql"

	"github.com/acme/shop/internal/api"
	"github.com/gin-gonic/gin"
)

func main() {
	db, _ := sql.Open("postgres", "")
	h := api.NewHandlers(db)
	r := gin.Default()
	r.GET("/health", func(c *gin.Context) { c.String(200, "ok") })
	v1 := r.Group("/api/v1")
	v1.Use(api.RequireAuth())
	api.RegisterRoutes(v1, h)
	r.POST("/login", h.Login)
	r.Run()
}
"#;

const GIN_ROUTES: &str = r#"package api

import "github.com/gin-gonic/gin"

func RegisterRoutes(rg *gin.RouterGroup, h *Handlers) {
	rg.GET("/users/:id", h.GetUser)
	admin := rg.Group("/admin", RequireAdmin())
	admin.DELETE("/users/:id", h.DeleteUser)
}

func RequireAuth() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.GetHeader("Authorization") == "" {
			c.AbortWithStatus(401)
			return
		}
		c.Next()
	}
}

func RequireAdmin() gin.HandlerFunc {
	return func(c *gin.Context) { c.Next() }
}
"#;

const GIN_HANDLERS: &str = r#"package api

import (
	"database/sql"

	"github.com/acme/shop/internal/store"
	"github.com/gin-gonic/gin"
)

type Handlers struct{ users *store.Users }

func NewHandlers(db *sql.DB) *Handlers { return &Handlers{users: store.NewUsers(db)} }

func (h *Handlers) GetUser(c *gin.Context) {
	user, _ := h.users.ByName(c.Param("id"))
	c.JSON(200, user)
}

func (h *Handlers) DeleteUser(c *gin.Context) { c.Status(204) }

func (h *Handlers) Login(c *gin.Context) { c.Status(204) }
"#;

const GIN_STORE: &str = r#"package store

import "database/sql"

type Users struct{ db *sql.DB }

func NewUsers(db *sql.DB) *Users { return &Users{db: db} }

func (u *Users) ByName(name string) (string, error) {
	var email string
	err := u.db.QueryRow("SELECT email FROM users WHERE name = '" + name + "'").Scan(&email)
	return email, err
}

func (u *Users) ByID(id int) (string, error) {
	var email string
	err := u.db.QueryRow("SELECT email FROM users WHERE id = $1", id).Scan(&email)
	return email, err
}
"#;

#[test]
fn a_gin_service_is_read_across_packages() {
    let files = [
        ("go.mod", "module github.com/acme/shop\n\ngo 1.22\n"),
        ("cmd/server/main.go", GIN_MAIN),
        ("internal/api/routes.go", GIN_ROUTES),
        ("internal/api/handlers.go", GIN_HANDLERS),
        ("internal/store/users.go", GIN_STORE),
    ];
    let mut lines = route_lines(&files);
    lines.sort();
    assert_eq!(
        lines,
        [
            "DELETE /api/v1/admin/users/{id} gin auth",
            "GET /api/v1/users/{id} gin auth",
            "GET /health gin open",
            "POST /login gin open",
        ]
    );
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    let tree = ProjectTree::walk(dir.path(), &WalkOptions::default()).expect("walk");
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
    // The path parameter reaches the store's query through the handler's field, in another
    // package; the parameterised query stays silent.
    assert_eq!(
        sql,
        ["internal/store/users.go:11"],
        "{:#?}",
        output.output.findings
    );
    // Every rule reads Go: the Go code is not listed among what was not tested.
    assert!(
        !output
            .output
            .run
            .untested
            .iter()
            .any(|u| u.place.starts_with("the Go code")),
        "{:?}",
        output.output.run.untested
    );
}

#[test]
fn chi_echo_fiber_gorilla_and_net_http_routes_carry_their_middleware() {
    let chi = r#"package main

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

func adminRouter() http.Handler {
	r := chi.NewRouter()
	r.Use(AdminOnly)
	r.Get("/stats", stats)
	return r
}

func main() {
	r := chi.NewRouter()
	r.Get("/", index)
	r.Route("/notes", func(r chi.Router) {
		r.Use(Authenticate)
		r.Get("/{id:[0-9]+}", index)
		r.With(RateLimit).Post("/", index)
	})
	r.Group(func(r chi.Router) {
		r.Use(Authenticate)
		r.Put("/profile", index)
	})
	r.Mount("/admin", adminRouter())
	http.ListenAndServe(":8080", r)
}
"#;
    let mut lines = route_lines(&[("main.go", chi)]);
    lines.sort();
    assert_eq!(
        lines,
        [
            "GET / chi open",
            "GET /admin/stats chi auth",
            "GET /notes/{id} chi auth",
            "POST /notes chi auth",
            "PUT /profile chi auth",
        ]
    );

    let echo = r#"package main

import (
	"github.com/labstack/echo/v4"
	echojwt "github.com/labstack/echo-jwt/v4"
)

func main() {
	e := echo.New()
	e.GET("/public", show)
	g := e.Group("/api", echojwt.JWT([]byte("k")))
	g.GET("/me", show)
	e.DELETE("/items/:id", remove, requireLogin)
	e.Start(":1323")
}
"#;
    let mut lines = route_lines(&[("server.go", echo)]);
    lines.sort();
    assert_eq!(
        lines,
        [
            "DELETE /items/{id} echo auth",
            "GET /api/me echo auth",
            "GET /public echo open",
        ]
    );

    let fiber = r#"package main

import "github.com/gofiber/fiber/v2"

func main() {
	app := fiber.New()
	app.Get("/", home)
	api := app.Group("/api", authMiddleware)
	api.Post("/posts", createPost)
	app.Add("PATCH", "/posts/:id", updatePost)
	app.Listen(":3000")
}
"#;
    let mut lines = route_lines(&[("main.go", fiber)]);
    lines.sort();
    assert_eq!(
        lines,
        [
            "GET / fiber open",
            "PATCH /posts/{id} fiber open",
            "POST /api/posts fiber auth",
        ]
    );

    let gorilla = r#"package main

import (
	"net/http"

	"github.com/gorilla/mux"
)

func main() {
	r := mux.NewRouter()
	r.HandleFunc("/books/{title}", getBook).Methods("GET")
	r.HandleFunc("/books/{title}", updateBook).Methods("PUT", "PATCH")
	api := r.PathPrefix("/api").Subrouter()
	api.Use(authMiddleware)
	api.HandleFunc("/secret", secret).Methods(http.MethodGet)
	http.Handle("/", r)
}
"#;
    let mut lines = route_lines(&[("main.go", gorilla)]);
    lines.sort();
    assert_eq!(
        lines,
        [
            "GET /books/{title} gorilla/mux open",
            "PATCH /books/{title} gorilla/mux open",
            "PUT /books/{title} gorilla/mux open",
            "GET /api/secret gorilla/mux auth",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );

    let std = r#"package main

import "net/http"

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /tasks/{id}", getTask)
	mux.Handle("DELETE /tasks/{id}", requireAuth(http.HandlerFunc(deleteTask)))
	http.HandleFunc("/healthz", health)
	http.ListenAndServe(":8080", logging(mux))
}
"#;
    let mut lines = route_lines(&[("main.go", std)]);
    lines.sort();
    assert_eq!(
        lines,
        [
            "ANY /healthz net/http open",
            "DELETE /tasks/{id} net/http auth",
            "GET /tasks/{id} net/http open",
        ]
    );
}
