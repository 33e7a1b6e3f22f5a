"""The public report ("it's not okay"), served under its own path with no sign-in."""

from django.urls import path

from . import views

app_name = "public_report"

urlpatterns = [
    path("", views.public_report, name="form"),
    path("thanks", views.public_thanks, name="thanks"),
]
