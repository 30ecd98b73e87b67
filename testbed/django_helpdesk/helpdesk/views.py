from django.conf import settings
from django.contrib.auth.models import User
from rest_framework import generics, permissions, viewsets
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from .serializers import (
    AdminUserSerializer,
    ArticleSerializer,
    MeSerializer,
    RegisterSerializer,
    TicketSerializer,
)
from .models import Article, Ticket

HARDENED = settings.HELPDESK_HARDENED


def is_agent(user):
    return user.is_authenticated and (user.is_staff or user.is_superuser)


class IsSuperUser(permissions.BasePermission):
    """The admin area is for administrators; agents are staff, not administrators."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_superuser)


class IsAgentOrReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_agent(request.user)


class TicketViewSet(viewsets.ModelViewSet):
    serializer_class = TicketSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        tickets = Ticket.objects.order_by("-id")
        if HARDENED and not is_agent(self.request.user):
            # Customers see their own tickets only.
            return tickets.filter(owner=self.request.user)
        return tickets

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class ArticleViewSet(viewsets.ModelViewSet):
    queryset = Article.objects.order_by("-id")
    serializer_class = ArticleSerializer
    # "Logged-in users can manage the knowledge base" — meant for agents.
    permission_classes = (
        [IsAgentOrReadOnly] if HARDENED else [permissions.IsAuthenticatedOrReadOnly]
    )

    def perform_create(self, serializer):
        serializer.save(author=self.request.user)


class AdminUserViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = User.objects.order_by("id")
    serializer_class = AdminUserSerializer
    permission_classes = [IsSuperUser] if HARDENED else [permissions.IsAuthenticated]
    # Every account with its groups and permissions is the app's costliest answer: its own
    # limit sits below what one worker can serve, so a single client meets a 429 before it
    # saturates the server (the user-wide 100/s is above that on two busy cores).
    throttle_scope = "admin"
    throttle_classes = [UserRateThrottle, ScopedRateThrottle] if HARDENED else []


class RegisterView(generics.CreateAPIView):
    serializer_class = RegisterSerializer
    permission_classes = [permissions.AllowAny]
    throttle_scope = "register"
    throttle_classes = [ScopedRateThrottle] if HARDENED else []


class MeView(generics.RetrieveUpdateAPIView):
    serializer_class = MeSerializer
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user
