from django.conf import settings
from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.routers import DefaultRouter
from rest_framework.schemas import get_schema_view
from rest_framework.renderers import JSONOpenAPIRenderer
from rest_framework.throttling import ScopedRateThrottle

from . import views
from .parsers import BoundedJSONParser

router = DefaultRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("admin/users", views.AdminUserViewSet, basename="admin-user")


class LoginView(ObtainAuthToken):
    throttle_scope = "login"
    throttle_classes = [ScopedRateThrottle] if settings.HELPDESK_HARDENED else []
    # ObtainAuthToken names its own parsers, past the project's defaults: the twin gives it the
    # bounded JSON parser too (a body nested too deep is a 400 there, not a 500).
    if settings.HELPDESK_HARDENED:
        parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]


urlpatterns = [
    path("api/", include(router.urls)),
    path("api/auth/token/", LoginView.as_view()),
    path("api/auth/register/", views.RegisterView.as_view()),
    path("api/me/", views.MeView.as_view()),
    path(
        "api/schema/",
        get_schema_view(
            title="Helpdesk",
            version="1.0.0",
            public=True,
            renderer_classes=[JSONOpenAPIRenderer],
        ),
    ),
]
