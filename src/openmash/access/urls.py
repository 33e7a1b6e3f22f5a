from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    path("emergency", views.break_glass, name="break-glass"),
    path("alerts", views.alerts, name="alerts"),
    path("alerts/<str:reference>", views.alert_detail, name="alert"),
]
