from django.conf import settings
from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter
from rest_framework.schemas import get_schema_view
from rest_framework.renderers import JSONOpenAPIRenderer
from rest_framework.throttling import ScopedRateThrottle

from . import views

router = DefaultRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("admin/users", views.AdminUserViewSet, basename="admin-user")


class LoginView(ObtainAuthToken):
    throttle_scope = "login"
    throttle_classes = [ScopedRateThrottle] if settings.HELPDESK_HARDENED else []


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
