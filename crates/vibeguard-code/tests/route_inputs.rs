//! The body fields and query parameters each route's handler reads, in the spellings of
//! Express, Flask, Django and DRF — and nothing that is not a request input.

use std::collections::BTreeMap;

use vibeguard_code::{CodeOptions, routes};
use vibeguard_project::{ProjectTree, WalkOptions};

/// (method path) → (body fields, query parameters) of a project made of `files`.
fn inputs(files: &[(&str, &str)]) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    routes_of(files)
        .into_iter()
        .map(|r| {
            (
                format!("{} {}", r.method, r.path),
                (r.body_fields, r.query_params),
            )
        })
        .collect()
}

/// The routes of a project made of `files`.
fn routes_of(files: &[(&str, &str)]) -> Vec<vibeguard_core::RouteEntry> {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    let tree = ProjectTree::walk(dir.path(), &WalkOptions::default()).expect("walk");
    let (routes, errors) = routes(&tree, &CodeOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    routes
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

#[test]
fn express_handlers_name_their_body_fields_and_query_parameters() {
    let found = inputs(&[(
        "app.js",
        r#"
const express = require('express');
const app = express();
app.post('/api/notes', (req, res) => {
  const { title, body } = req.body;
  const tags = req.body.tags || [];
  const pinned = req.body['pinned'];
  res.json({ title, body, tags, pinned });
});
app.put('/api/notes/:id', async (request, response) => {
  const data = request.body;
  await save(request.params.id, data.title, data.done);
  response.send('ok');
});
app.get('/api/notes', (req, res) => {
  const { page, limit } = req.query;
  const q = req.query.q;
  res.json(find(q, page, limit, req.params.x, req.headers.authorization));
});
app.delete('/api/notes/:id', (req, res) => res.sendStatus(204));
app.listen(3000);
"#,
    )]);
    assert_eq!(
        found["POST /api/notes"],
        (strings(&["title", "body", "tags", "pinned"]), Vec::new())
    );
    assert_eq!(
        found["PUT /api/notes/{id}"],
        (strings(&["title", "done"]), Vec::new())
    );
    assert_eq!(
        found["GET /api/notes"],
        (Vec::new(), strings(&["page", "limit", "q"]))
    );
    // Path parameters, headers and a handler that reads nothing: no inputs.
    assert_eq!(found["DELETE /api/notes/{id}"], (Vec::new(), Vec::new()));
}

#[test]
fn flask_and_django_handlers_name_their_inputs() {
    let found = inputs(&[
        (
            "app.py",
            r#"
from flask import Flask, request, jsonify
app = Flask(__name__)

@app.post("/shelves")
def create_shelf():
    data = request.get_json(silent=True) or {}
    name = data.get("name")
    description = data["description"]
    return jsonify(name=name, description=description, private=request.json.get("private"))

@app.route("/login", methods=["POST"])
def login():
    return check(request.form["username"], request.form.get("password"))

@app.get("/search")
def search():
    return jsonify(find(request.args.get("q"), request.args["page"], request.headers.get("X-Token")))
"#,
        ),
        (
            "urls.py",
            r#"
from django.http import JsonResponse
from django.urls import path

def tickets(request):
    if request.method == "POST":
        return JsonResponse(create(request.POST["subject"], request.POST.get("body")))
    return JsonResponse(list_tickets(request.GET.get("status")))

urlpatterns = [path("tickets/", tickets)]
"#,
        ),
    ]);
    assert_eq!(
        found["POST /shelves"],
        (strings(&["name", "description", "private"]), Vec::new())
    );
    assert_eq!(
        found["POST /login"],
        (strings(&["username", "password"]), Vec::new())
    );
    assert_eq!(found["GET /search"], (Vec::new(), strings(&["q", "page"])));
    let django = found
        .iter()
        .find(|(route, _)| route.ends_with("/tickets/"))
        .map(|(_, inputs)| inputs.clone())
        .expect("the Django route");
    assert_eq!(
        django,
        (strings(&["subject", "body"]), strings(&["status"]))
    );
}

/// (method path) → (body fields, the schema's description of each) of a project.
fn schemas(files: &[(&str, &str)]) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    routes_of(files)
        .into_iter()
        .map(|r| {
            let described = r
                .body_schema
                .iter()
                .map(|(name, field)| {
                    format!(
                        "{name}:{}{}{}",
                        field.kind.clone().unwrap_or_default(),
                        field
                            .format
                            .as_deref()
                            .map(|f| format!("/{f}"))
                            .unwrap_or_default(),
                        if field.required { "!" } else { "" }
                    )
                })
                .collect();
            (
                format!("{} {}", r.method, r.path),
                (r.body_fields, described),
            )
        })
        .collect()
}

#[test]
fn validation_schemas_describe_bodies_the_handler_never_names() {
    let found = schemas(&[
        (
            "schemas.js",
            r#"
const { z } = require('zod');
const Joi = require('joi');
exports.noteSchema = z.object({
  title: z.string().min(1).max(120),
  amount: z.number().int().positive(),
  email: z.string().email().optional(),
});
exports.signupSchema = Joi.object({
  email: Joi.string().email().required(),
  password: Joi.string().min(8).required(),
});
"#,
        ),
        (
            "app.js",
            r#"
const express = require('express');
const { celebrate, Joi, Segments } = require('celebrate');
const { noteSchema, signupSchema } = require('./schemas');
const validate = (schema) => (req, res, next) => { const r = schema.validate(req.body); if (r.error) return res.status(400).end(); next(); };
const app = express();
app.post('/api/notes', async (req, res) => {
  const data = noteSchema.parse(req.body);
  res.status(201).json(await save(data));
});
app.post('/api/signup', validate(signupSchema), (req, res) => res.status(201).end());
app.post('/api/comments', celebrate({ [Segments.BODY]: Joi.object({ text: Joi.string().max(500).required() }) }), (req, res) => res.end());
app.post('/api/raw', (req, res) => res.json(handle(req.body)));
app.listen(3000);
"#,
        ),
    ]);
    assert_eq!(
        found["POST /api/notes"],
        (
            strings(&["title", "amount", "email"]),
            strings(&["amount:integer!", "email:string/email", "title:string!"])
        )
    );
    assert_eq!(
        found["POST /api/signup"],
        (
            strings(&["email", "password"]),
            strings(&["email:string/email!", "password:string!"])
        )
    );
    assert_eq!(
        found["POST /api/comments"],
        (strings(&["text"]), strings(&["text:string!"]))
    );
    assert_eq!(found["POST /api/raw"], (Vec::new(), Vec::new()));
}

#[test]
fn pydantic_models_and_marshmallow_schemas_describe_flask_bodies() {
    let found = schemas(&[
        (
            "models.py",
            r#"
from pydantic import BaseModel, EmailStr, Field
from marshmallow import Schema, fields

class BookingIn(BaseModel):
    venue: str
    seats: int = Field(..., ge=1)
    email: EmailStr | None = None

class ReviewSchema(Schema):
    stars = fields.Int(required=True)
    text = fields.Str()

review_schema = ReviewSchema()
"#,
        ),
        (
            "app.py",
            r#"
from flask import Flask, request, jsonify
from models import BookingIn, review_schema, ReviewSchema
app = Flask(__name__)

@app.post("/bookings")
def book():
    booking = BookingIn(**request.get_json())
    return jsonify(booking.model_dump()), 201

@app.post("/reviews")
def review():
    data = review_schema.load(request.json)
    return jsonify(data), 201

@app.put("/reviews/<int:review_id>")
def edit(review_id):
    data = ReviewSchema().load(request.get_json())
    return jsonify(data)
"#,
        ),
    ]);
    assert_eq!(
        found["POST /bookings"],
        (
            strings(&["venue", "seats", "email"]),
            strings(&["email:string/email", "seats:integer!", "venue:string!"])
        )
    );
    assert_eq!(
        found["POST /reviews"],
        (
            strings(&["stars", "text"]),
            strings(&["stars:integer!", "text:string"])
        )
    );
    assert_eq!(
        found["PUT /reviews/{review_id}"].1,
        strings(&["stars:integer!", "text:string"])
    );
}

#[test]
fn fastapi_model_parameters_are_the_body_and_dependencies_are_not() {
    let found = schemas(&[(
        "main.py",
        r#"
from typing import Annotated
from fastapi import Body, Depends, FastAPI
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

app = FastAPI()
HARDENED = False

class VenueIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    capacity: int = Field(ge=1)

class SignupIn(BaseModel):
    username: str
    password: str

class StrictSignupIn(BaseModel):
    username: str

class Settings(BaseModel):
    theme: str

def current_user() -> dict:
    return {}

@app.post("/venues")
def create(body: VenueIn, user: Annotated[dict, Depends(current_user)]):
    return body

@app.post("/register")
def register(body: StrictSignupIn if HARDENED else SignupIn):
    return body

@app.put("/settings")
def settings(body: Annotated[Settings, Body()]):
    return body

@app.get("/me")
def me(user: Annotated[Settings, Depends(current_user)]):
    return user

@app.post("/token")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    return {}
"#,
    )]);
    assert_eq!(
        found["POST /token"].1,
        strings(&["password:string!", "username:string!"])
    );
    assert_eq!(
        found["POST /venues"].1,
        strings(&["capacity:integer!", "name:string!"])
    );
    // The branch that runs by default.
    assert_eq!(
        found["POST /register"].1,
        strings(&["password:string!", "username:string!"])
    );
    assert_eq!(found["PUT /settings"].1, strings(&["theme:string!"]));
    assert_eq!(found["GET /me"].1, Vec::<String>::new());
}

#[test]
fn fastapi_query_parameters_are_the_plain_ones_not_dependencies_or_path_parameters() {
    let found = inputs(&[(
        "main.py",
        r#"
import uuid
from typing import Annotated, Optional
from fastapi import Depends, FastAPI, Query

app = FastAPI()

def current_user() -> dict:
    return {}

CurrentUser = Annotated[dict, Depends(current_user)]

@app.get("/users/lookup")
def lookup(email: Annotated[str, Query(max_length=254)], user: CurrentUser):
    return {}

@app.get("/venues/{venue_id}/bookings")
def bookings(venue_id: uuid.UUID, user: CurrentUser, day: Optional[str] = None, limit: int = 20):
    return []
"#,
    )]);
    assert_eq!(found["GET /users/lookup"].1, strings(&["email"]));
    assert_eq!(
        found["GET /venues/{venue_id}/bookings"].1,
        strings(&["day", "limit"])
    );
}

#[test]
fn a_generic_sign_up_view_on_djangos_user_model_has_its_fields_typed() {
    let found = schemas(&[
        (
            "accounts/urls.py",
            "from django.urls import path\nfrom . import views\nurlpatterns = [path('api/register/', views.RegisterView.as_view())]\n",
        ),
        (
            "accounts/views.py",
            r#"
from django.contrib.auth.models import User
from rest_framework import generics, permissions, serializers

class RegisterSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, min_length=8)

    class Meta:
        model = User
        fields = ["username", "email", "password", "is_staff"]

class RegisterView(generics.CreateAPIView):
    serializer_class = RegisterSerializer
    permission_classes = [permissions.AllowAny]
"#,
        ),
    ]);
    assert_eq!(
        found["POST /api/register/"].1,
        strings(&[
            "email:string/email",
            "is_staff:boolean",
            "password:string!",
            "username:string!"
        ])
    );
}

#[test]
fn drf_serializers_and_their_models_describe_viewset_bodies() {
    let found = schemas(&[
        (
            "shop/models.py",
            r#"
from django.db import models

class Order(models.Model):
    STATES = [("new", "New"), ("paid", "Paid")]
    item = models.CharField(max_length=80)
    quantity = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=STATES, default="new")
    contact = models.EmailField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
"#,
        ),
        (
            "shop/serializers.py",
            r#"
from rest_framework import serializers
from .models import Order

class OrderSerializer(serializers.ModelSerializer):
    customer = serializers.ReadOnlyField(source="customer.username")
    note = serializers.CharField(max_length=200, required=False)

    class Meta:
        model = Order
        fields = ["id", "customer", "item", "quantity", "state", "contact", "created", "note"]
        read_only_fields = ["state"]
"#,
        ),
        (
            "shop/views.py",
            r#"
from rest_framework import viewsets, permissions
from .serializers import OrderSerializer

class OrderViewSet(viewsets.ModelViewSet):
    serializer_class = OrderSerializer
    permission_classes = [permissions.IsAuthenticated]
"#,
        ),
        (
            "shop/urls.py",
            r#"
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from . import views

router = DefaultRouter()
router.register("orders", views.OrderViewSet, basename="order")
urlpatterns = [path("api/", include(router.urls))]
"#,
        ),
    ]);
    let create = &found["POST /api/orders/"];
    assert_eq!(create.0, strings(&["note", "item", "quantity", "contact"]));
    assert_eq!(
        create.1,
        strings(&[
            "contact:string/email",
            "item:string!",
            "note:string",
            "quantity:integer"
        ])
    );
    // Reads take no body.
    assert_eq!(found["GET /api/orders/"], (Vec::new(), Vec::new()));
}

#[test]
fn fields_read_by_the_helpers_a_handler_hands_the_body_to_count() {
    let found = inputs(&[
        (
            "routes/posts.js",
            r#"
const express = require('express');
const { validateComment } = require('../lib/validate');
const router = express.Router();
function validPost(body) {
  const title = String(body.title || '').trim();
  const { text, tags } = body;
  return title && text ? { title, text, tags } : null;
}
function filters(req) {
  return { author: req.query.author, sort: req.query.sort };
}
function unrelated(count) {
  return count.total + count.extra;
}
router.post('/posts', (req, res) => {
  const fields = validPost(req.body);
  res.json(fields);
});
router.get('/posts', (req, res) => res.json(filters(req)));
router.post('/posts/:id/comments', (req, res) => {
  const data = req.body;
  res.json(validateComment(data));
});
router.delete('/posts/:id', (req, res) => res.json(unrelated(req.params)));
module.exports = router;
"#,
        ),
        (
            "lib/validate.js",
            r#"
exports.validateComment = function validateComment(input) {
  return input.comment && input.comment.length < 500 ? { comment: input.comment, rating: input['rating'] } : null;
};
"#,
        ),
        (
            "app.py",
            r#"
from flask import Flask, request
app = Flask(__name__)

def read_signup(req):
    return req.form["username"], req.form.get("email")

@app.route("/signup", methods=["POST"])
def signup():
    username, email = read_signup(request)
    return "ok"
"#,
        ),
    ]);
    assert_eq!(
        found["POST /posts"],
        (strings(&["text", "tags", "title"]), Vec::new())
    );
    assert_eq!(
        found["GET /posts"],
        (Vec::new(), strings(&["author", "sort"]))
    );
    assert_eq!(
        found["POST /posts/{id}/comments"],
        (strings(&["comment", "rating"]), Vec::new())
    );
    assert_eq!(
        found["POST /signup"],
        (strings(&["username", "email"]), Vec::new())
    );
    // What a helper reads from something that is not the request is not an input.
    assert_eq!(found["DELETE /posts/{id}"], (Vec::new(), Vec::new()));
}
