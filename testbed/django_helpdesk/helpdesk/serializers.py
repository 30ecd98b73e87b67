from django.conf import settings
from django.contrib.auth.models import User
from rest_framework import serializers

from .models import Article, Ticket

HARDENED = settings.HELPDESK_HARDENED


class TicketSerializer(serializers.ModelSerializer):
    owner = serializers.ReadOnlyField(source="owner.username")

    class Meta:
        model = Ticket
        fields = ["id", "owner", "subject", "body", "status", "internal_note", "created"]
        read_only_fields = ["status", "internal_note"] if HARDENED else []


class ArticleSerializer(serializers.ModelSerializer):
    author = serializers.ReadOnlyField(source="author.username")

    class Meta:
        model = Article
        fields = ["id", "author", "title", "content", "published"]


class AdminUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        # "Everything, for the admin screen" — the password hash included.
        fields = (
            ["id", "username", "email", "is_staff", "is_superuser", "last_login"]
            if HARDENED
            else "__all__"
        )


class RegisterSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, min_length=8)

    class Meta:
        model = User
        fields = (
            ["username", "email", "password"]
            if HARDENED
            else ["username", "email", "password", "first_name", "last_name", "is_staff", "is_superuser"]
        )

    def create(self, validated_data):
        password = validated_data.pop("password")
        user = User(**validated_data)
        user.set_password(password)
        user.save()
        return user


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "is_staff"]
        # The original lets the settings page send `is_staff` back as it got it.
        read_only_fields = ["id", "username", "is_staff"] if HARDENED else ["id", "username"]
