"""Outgoing mail."""
import smtplib
from email.message import EmailMessage


def send_mail(to, subject, body):
    message = EmailMessage()
    message["From"] = "no-reply@bookmarks.example"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP("localhost") as smtp:
        smtp.send_message(message)
