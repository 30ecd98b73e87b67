"""A helpdesk API, written the way assistants write Django REST framework projects (served by
uvicorn, as its deployment notes say): model
viewsets on a router, DRF's token login, the OpenAPI description DRF generates itself
(`/api/schema/`, no security schemes in it), three roles (customer, agent, admin) and an admin
area. Its flaws are listed in ../README.md; `--hardened` runs its twin, with every flaw fixed.
A vibeguard testbed: written for it, never deployed.

    python app.py --port 5080 [--hardened] [--db /tmp/helpdesk.sqlite3]
"""

import argparse
import os
import sys
import tempfile

import django
from django.conf import settings

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=5080)
parser.add_argument("--db", help="SQLite file (default: a new temporary file)")
parser.add_argument("--hardened", action="store_true")
args = parser.parse_args()
HARDENED = args.hardened

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
if HARDENED:
    MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "helpdesk.middleware.ContentSecurityPolicy",
        *MIDDLEWARE,
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]

settings.configure(
    # "Turn it off before launch."
    DEBUG=not HARDENED,
    SECRET_KEY=os.urandom(32).hex(),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF="helpdesk.urls",
    INSTALLED_APPS=[
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "django.contrib.sessions",
        "rest_framework",
        "rest_framework.authtoken",
        "helpdesk",
    ],
    MIDDLEWARE=MIDDLEWARE,
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": args.db or tempfile.mkstemp(prefix="helpdesk-", suffix=".sqlite3")[1],
            # A throwaway database: no fsync on every write.
            "OPTIONS": {"init_command": "PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY;"},
        }
    },
    MIGRATION_MODULES={"helpdesk": None},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
    SECURE_CONTENT_TYPE_NOSNIFF=True,
    SECURE_REFERRER_POLICY="no-referrer",
    X_FRAME_OPTIONS="DENY",
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": (
            ["helpdesk.parsers.BoundedJSONParser"]
            if HARDENED
            else ["rest_framework.parsers.JSONParser"]
        )
        + ["rest_framework.parsers.FormParser", "rest_framework.parsers.MultiPartParser"],
        "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
        "PAGE_SIZE": 20,
        "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"] if HARDENED else [],
        "DEFAULT_THROTTLE_RATES": {"login": "10/min", "register": "5/min", "user": "100/second", "admin": "15/second"},
    },
    HELPDESK_HARDENED=HARDENED,
    # Django's PBKDF2 at 100,000 iterations instead of 870,000: the same code paths, and a
    # test suite that does not spend minutes hashing.
    PASSWORD_HASHERS=["helpdesk.hashers.FasterPBKDF2PasswordHasher"],
)
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
import uvicorn  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

from helpdesk.models import Profile  # noqa: E402

call_command("migrate", run_syncdb=True, verbosity=0)
for username, password, role in [
    ("adam", "adam-admin-pw1", "admin"),
    ("agnes", "agnes-agent-pw2", "agent"),
    ("cathy", "cathy-customer-pw3", "customer"),
    ("colin", "colin-customer-pw4", "customer"),
]:
    user = User.objects.create_user(
        username,
        f"{username}@helpdesk.test",
        password,
        is_staff=role != "customer",
        is_superuser=role == "admin",
    )
    Profile.objects.create(user=user, role=role)

# Served the way the deployment guide says: Django's ASGI application under uvicorn.
uvicorn.run(get_asgi_application(), host="127.0.0.1", port=args.port, log_level="warning")
