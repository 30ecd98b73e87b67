"""The helpdesk's data: tickets customers open, and knowledge-base articles agents write."""

from django.conf import settings
from django.db import models


class Profile(models.Model):
    ROLES = [("customer", "Customer"), ("agent", "Agent"), ("admin", "Admin")]
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role = models.CharField(max_length=20, choices=ROLES, default="customer")
    phone = models.CharField(max_length=30, blank=True)


class Ticket(models.Model):
    STATUSES = [("open", "Open"), ("pending", "Pending"), ("closed", "Closed")]
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tickets")
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=5000)
    status = models.CharField(max_length=20, choices=STATUSES, default="open")
    internal_note = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)


class Article(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=200)
    content = models.TextField(max_length=20000)
    published = models.BooleanField(default=True)
