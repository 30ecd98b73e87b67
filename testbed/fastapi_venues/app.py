"""A venue-booking API, written the way assistants write FastAPI apps: Pydantic models, an
in-memory store keyed by UUIDs, bookings nested under their venue, three roles (guest, host,
admin) and the OAuth2 password form at /token issuing HS256 JWTs. FastAPI writes the
description itself (/openapi.json, OpenAPI 3.1). Its flaws are listed in ../README.md;
`--hardened` runs its twin, with every flaw fixed. A vibeguard testbed: written for it, never
deployed.

    python app.py --port 5060 [--hardened]
"""

import argparse
import ipaddress
import re
import secrets
import socket
import time
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from typing import Annotated, Literal, Optional

import jwt
import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=5060)
parser.add_argument("--hardened", action="store_true")
args = parser.parse_args()
HARDENED = args.hardened

# The tutorial's "change me" key, changed to six digits "so it is not the default".
SECRET_KEY = secrets.token_urlsafe(48) if HARDENED else "482913"
ALGORITHM = "HS256"
TOKEN_MINUTES = 30

Role = Literal["guest", "host", "admin"]

app = FastAPI(title="Venues", version="1.4.0")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


ITERATIONS = 150_000


def hash_password(password: str) -> str:
    import hashlib

    salt = secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), ITERATIONS)
    return f"{salt}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    import hashlib

    salt, digest = stored.split("$", 1)
    computed = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), ITERATIONS)
    return secrets.compare_digest(computed.hex(), digest)


USERS: dict[uuid.UUID, dict] = {}
VENUES: dict[uuid.UUID, dict] = {}
BOOKINGS: dict[uuid.UUID, dict] = {}
FAILED_LOGINS: dict[str, list[float]] = {}


def seed_user(username: str, password: str, role: str) -> None:
    user_id = uuid.uuid5(uuid.NAMESPACE_DNS, f"{username}.venues.test")
    USERS[user_id] = {
        "id": user_id,
        "username": username,
        "email": f"{username}@venues.test",
        "full_name": username.title(),
        "role": role,
        "hashed_password": hash_password(password),
    }


DUMMY_HASH = hash_password("not a password anyone has")
seed_user("ada", "ada-admin-pw", "admin")
seed_user("hank", "hank-host-pw", "host")
seed_user("gina", "gina-guest-pw", "guest")
seed_user("gus", "gus-guest-pw", "guest")


# --- models -------------------------------------------------------------------------------


class Token(BaseModel):
    access_token: str
    token_type: str


class UserOut(BaseModel):
    id: uuid.UUID
    username: str
    email: str
    full_name: str
    role: Role


class RegisterIn(BaseModel):
    username: str = Field(min_length=3, max_length=40)
    email: str = Field(max_length=120)
    password: str = Field(min_length=8, max_length=128)
    full_name: str = Field(default="", max_length=80)
    # "So the admin screen can create hosts too."
    role: Role = "guest"


class HardenedRegisterIn(BaseModel):
    username: str = Field(min_length=3, max_length=40)
    email: str = Field(max_length=120)
    password: str = Field(min_length=8, max_length=128)
    full_name: str = Field(default="", max_length=80)


class RoleIn(BaseModel):
    role: Role


class VenueIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    city: str = Field(min_length=1, max_length=80)
    capacity: int = Field(ge=1, le=10_000)
    photo_url: Optional[str] = Field(default=None, max_length=500)


class VenueOut(BaseModel):
    id: uuid.UUID
    name: str
    city: str
    capacity: int
    photo_url: Optional[str]
    photo_bytes: Optional[int]
    host_id: uuid.UUID


class PayoutIn(BaseModel):
    amount_cents: int = Field(ge=100, le=10_000_000)
    iban: str = Field(min_length=15, max_length=34)


class PayoutOut(BaseModel):
    id: uuid.UUID
    host_id: uuid.UUID
    amount_cents: int
    iban: str
    status: str


class BookingIn(BaseModel):
    day: str = Field(min_length=10, max_length=10, description="YYYY-MM-DD")
    guests: int = Field(ge=1, le=500)
    phone: str = Field(min_length=5, max_length=30)
    note: str = Field(default="", max_length=300)


class BookingOut(BaseModel):
    id: uuid.UUID
    venue_id: uuid.UUID
    user_id: uuid.UUID
    day: str
    guests: int
    phone: str
    note: str


# --- authentication -----------------------------------------------------------------------


def make_token(user: dict) -> str:
    claims = {
        "sub": user["username"],
        "role": user["role"],
        "exp": datetime.now(timezone.utc) + timedelta(minutes=TOKEN_MINUTES),
    }
    return jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM)


def find_user(username: str) -> Optional[dict]:
    return next((u for u in USERS.values() if u["username"] == username), None)


def current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> dict:
    unauthorized = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )
    try:
        claims = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
    except jwt.PyJWTError:
        raise unauthorized
    user = find_user(claims.get("sub", ""))
    if user is None:
        raise unauthorized
    return user


CurrentUser = Annotated[dict, Depends(current_user)]


def require_role(*roles: str):
    def check(user: CurrentUser) -> dict:
        if user["role"] not in roles:
            raise HTTPException(status_code=403, detail="Not enough permissions")
        return user

    return check


RECENT: dict[str, list[float]] = {}
# Requests per two seconds on the operations a script would hammer (sign-ups, look-ups, lists).
LIMITED = {
    ("POST", "/register"): 15,
    ("GET", "/users/lookup"): 15,
    ("GET", "/payouts"): 15,
    ("GET", "/users/me"): 40,
}


@app.middleware("http")
async def headers(request: Request, call_next):
    if HARDENED:
        if int(request.headers.get("content-length") or 0) > 64_000:
            return JSONResponse({"detail": "Body too large"}, status_code=413)
        limit = LIMITED.get((request.method, request.url.path))
        if limit:
            now = time.monotonic()
            key = request.url.path
            recent = [t for t in RECENT.get(key, []) if now - t < 2.0]
            if len(recent) >= limit:
                return JSONResponse(
                    {"detail": "Too many requests"}, status_code=429, headers={"Retry-After": "2"}
                )
            RECENT[key] = recent + [now]
    response = await call_next(request)
    if HARDENED:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    else:
        response.headers["X-Powered-By"] = "FastAPI/0.115.6 Python/3.11"
    return response


@app.post("/token", response_model=Token, tags=["auth"])
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    if HARDENED:
        now = time.monotonic()
        recent = [t for t in FAILED_LOGINS.get(form.username, []) if now - t < 60]
        FAILED_LOGINS[form.username] = recent
        if len(recent) >= 5:
            return JSONResponse(
                {"detail": "Too many attempts"}, status_code=429, headers={"Retry-After": "60"}
            )
    user = find_user(form.username)
    if HARDENED and user is None:
        # The same work for an unknown name as for a wrong password: the answer time tells
        # nothing about which accounts exist.
        verify_password(form.password, DUMMY_HASH)
    if user is None or not verify_password(form.password, user["hashed_password"]):
        if HARDENED:
            FAILED_LOGINS.setdefault(form.username, []).append(time.monotonic())
        raise HTTPException(status_code=401, detail="Incorrect username or password")
    return {"access_token": make_token(user), "token_type": "bearer"}


@app.post("/register", response_model=UserOut, status_code=201, tags=["auth"])
def register(body: HardenedRegisterIn if HARDENED else RegisterIn):
    if find_user(body.username):
        raise HTTPException(status_code=409, detail="Username taken")
    user_id = uuid.uuid4()
    USERS[user_id] = {
        "id": user_id,
        "username": body.username,
        "email": body.email,
        "full_name": body.full_name,
        "role": getattr(body, "role", "guest"),
        "hashed_password": hash_password(body.password),
    }
    return USERS[user_id]


# --- users --------------------------------------------------------------------------------


@app.get("/users/me", response_model=UserOut, tags=["users"])
def read_me(user: CurrentUser):
    return user


# A shape that needs no backtracking, and a length bound before any matching.
SIMPLE_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
# "Stricter": the local part as groups of allowed characters.
STRICT_EMAIL = re.compile(r"^([a-zA-Z0-9_.+-]+)*@[a-zA-Z0-9-]+(\.[a-zA-Z]{2,})+$")


@app.get("/users/lookup", response_model=UserOut, tags=["users"])
def lookup_user(email: Annotated[str, Query(max_length=254)], user: CurrentUser):
    valid = (
        SIMPLE_EMAIL.fullmatch(email) is not None
        if HARDENED
        else STRICT_EMAIL.match(email) is not None
    )
    if not valid:
        raise HTTPException(status_code=422, detail="Not an e-mail address")
    found = next((u for u in USERS.values() if u["email"] == email), None)
    if found is None:
        raise HTTPException(status_code=404, detail="No such user")
    return found


@app.put("/users/{user_id}/role", response_model=UserOut, tags=["users"])
def set_role(user_id: uuid.UUID, body: RoleIn, user: CurrentUser):
    # Meant for the admin screen; "users may also pick their own role on the settings page".
    allowed = user["role"] == "admin" if HARDENED else (
        user["role"] == "admin" or user["id"] == user_id
    )
    if not allowed:
        raise HTTPException(status_code=403, detail="Not enough permissions")
    target = USERS.get(user_id)
    if target is None:
        raise HTTPException(status_code=404, detail="No such user")
    target["role"] = body.role
    return target


# --- venues -------------------------------------------------------------------------------


def photo_size(url: str) -> int:
    """Fetches the venue's photo to check that it is there."""
    parsed = urllib.parse.urlparse(url)
    if HARDENED:
        if parsed.scheme != "https" or not parsed.hostname:
            raise HTTPException(status_code=422, detail="photo_url must be an https URL")
        try:
            address = ipaddress.ip_address(socket.gethostbyname(parsed.hostname))
        except (OSError, ValueError):
            raise HTTPException(status_code=422, detail="photo_url could not be resolved")
        if address.is_private or address.is_loopback or address.is_link_local:
            raise HTTPException(status_code=422, detail="photo_url must be a public address")
    elif parsed.scheme not in ("http", "https"):
        raise HTTPException(status_code=422, detail="photo_url must be a URL")
    try:
        with urllib.request.urlopen(url, timeout=3) as answer:
            return len(answer.read(1_000_000))
    except Exception:
        raise HTTPException(status_code=422, detail="photo_url could not be fetched")


def venue_out(venue: dict) -> dict:
    return venue


@app.get("/venues", response_model=list[VenueOut], tags=["venues"])
def list_venues(city: Optional[str] = None, limit: Annotated[int, Query(ge=1, le=100)] = 20):
    venues = [v for v in VENUES.values() if city is None or v["city"] == city]
    return venues[:limit]


@app.post("/venues", response_model=VenueOut, status_code=201, tags=["venues"])
def create_venue(body: VenueIn, user: Annotated[dict, Depends(require_role("host", "admin"))]):
    venue_id = uuid.uuid4()
    VENUES[venue_id] = {
        "id": venue_id,
        **body.model_dump(),
        "photo_bytes": photo_size(body.photo_url) if body.photo_url else None,
        "host_id": user["id"],
    }
    return VENUES[venue_id]


def venue_or_404(venue_id: uuid.UUID) -> dict:
    venue = VENUES.get(venue_id)
    if venue is None:
        raise HTTPException(status_code=404, detail="Venue not found")
    return venue


def may_manage(user: dict, venue: dict) -> bool:
    return user["role"] == "admin" or venue["host_id"] == user["id"]


@app.get("/venues/{venue_id}", response_model=VenueOut, tags=["venues"])
def read_venue(venue_id: uuid.UUID):
    return venue_or_404(venue_id)


@app.patch("/venues/{venue_id}", response_model=VenueOut, tags=["venues"])
def update_venue(venue_id: uuid.UUID, body: VenueIn, user: CurrentUser):
    venue = venue_or_404(venue_id)
    if not may_manage(user, venue):
        raise HTTPException(status_code=403, detail="Not your venue")
    venue.update(body.model_dump(exclude={"photo_url"}))
    return venue


@app.delete("/venues/{venue_id}", status_code=204, tags=["venues"])
def delete_venue(venue_id: uuid.UUID, user: CurrentUser):
    venue = venue_or_404(venue_id)
    # The hardened twin checks the role; the original only that someone is logged in.
    if HARDENED and not may_manage(user, venue):
        raise HTTPException(status_code=403, detail="Not your venue")
    del VENUES[venue_id]
    for booking_id in [b for b, booking in BOOKINGS.items() if booking["venue_id"] == venue_id]:
        del BOOKINGS[booking_id]


# --- bookings (nested under their venue) --------------------------------------------------


@app.post(
    "/venues/{venue_id}/bookings", response_model=BookingOut, status_code=201, tags=["bookings"]
)
def book(venue_id: uuid.UUID, body: BookingIn, user: CurrentUser):
    venue_or_404(venue_id)
    booking_id = uuid.uuid4()
    BOOKINGS[booking_id] = {
        "id": booking_id,
        "venue_id": venue_id,
        "user_id": user["id"],
        **body.model_dump(),
    }
    return BOOKINGS[booking_id]


@app.get("/venues/{venue_id}/bookings", response_model=list[BookingOut], tags=["bookings"])
def list_bookings(venue_id: uuid.UUID, user: CurrentUser):
    venue = venue_or_404(venue_id)
    bookings = [b for b in BOOKINGS.values() if b["venue_id"] == venue_id]
    if not may_manage(user, venue):
        bookings = [b for b in bookings if b["user_id"] == user["id"]]
    return bookings


def booking_or_404(venue_id: uuid.UUID, booking_id: uuid.UUID) -> dict:
    booking = BOOKINGS.get(booking_id)
    if booking is None or booking["venue_id"] != venue_id:
        raise HTTPException(status_code=404, detail="Booking not found")
    return booking


def may_see_booking(user: dict, booking: dict) -> bool:
    venue = VENUES.get(booking["venue_id"])
    return booking["user_id"] == user["id"] or (venue is not None and may_manage(user, venue))


@app.get(
    "/venues/{venue_id}/bookings/{booking_id}", response_model=BookingOut, tags=["bookings"]
)
def read_booking(venue_id: uuid.UUID, booking_id: uuid.UUID, user: CurrentUser):
    booking = booking_or_404(venue_id, booking_id)
    # "The booking id is a UUID, nobody can guess it" — the original checks nothing more.
    if HARDENED and not may_see_booking(user, booking):
        raise HTTPException(status_code=404, detail="Booking not found")
    return booking


@app.delete("/venues/{venue_id}/bookings/{booking_id}", status_code=204, tags=["bookings"])
def cancel_booking(venue_id: uuid.UUID, booking_id: uuid.UUID, user: CurrentUser):
    booking = booking_or_404(venue_id, booking_id)
    if not may_see_booking(user, booking):
        raise HTTPException(status_code=404, detail="Booking not found")
    del BOOKINGS[booking_id]


# --- payouts (hosts ask for their earnings; admins pay) -----------------------------------

PAYOUTS: dict = {}


def may_see_payout(user: dict, payout: dict) -> bool:
    return user["role"] == "admin" or payout["host_id"] == user["id"]


@app.post("/payouts", response_model=PayoutOut, status_code=201, tags=["payouts"])
def request_payout(
    body: PayoutIn, user: Annotated[dict, Depends(require_role("host", "admin"))]
):
    payout_id = uuid.uuid4()
    PAYOUTS[payout_id] = {
        "id": payout_id,
        "host_id": user["id"],
        **body.model_dump(),
        "status": "pending",
    }
    return PAYOUTS[payout_id]


@app.get("/payouts", response_model=list[PayoutOut], tags=["payouts"])
def list_payouts(user: CurrentUser):
    return [p for p in PAYOUTS.values() if may_see_payout(user, p)]


def payout_or_404(payout_id: uuid.UUID) -> dict:
    payout = PAYOUTS.get(payout_id)
    if payout is None:
        raise HTTPException(status_code=404, detail="Payout not found")
    return payout


@app.get("/payouts/{payout_id}", response_model=PayoutOut, tags=["payouts"])
def read_payout(payout_id: uuid.UUID, user: CurrentUser):
    payout = payout_or_404(payout_id)
    # "Payout ids are UUIDs and the list is filtered" — the original checks only the login.
    if HARDENED and not may_see_payout(user, payout):
        raise HTTPException(status_code=404, detail="Payout not found")
    return payout


@app.delete("/payouts/{payout_id}", status_code=204, tags=["payouts"])
def cancel_payout(payout_id: uuid.UUID, user: CurrentUser):
    payout = payout_or_404(payout_id)
    if not may_see_payout(user, payout):
        raise HTTPException(status_code=404, detail="Payout not found")
    del PAYOUTS[payout_id]


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", server_header=False)
