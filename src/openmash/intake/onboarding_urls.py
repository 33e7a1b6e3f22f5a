from django.urls import path

from . import onboarding_views

app_name = "onboarding"

urlpatterns = [
    path("agencies", onboarding_views.agencies, name="agencies"),
    path("agencies/add", onboarding_views.agency_add, name="agency-add"),
    path("agencies/<uuid:agency_id>/client", onboarding_views.agency_client, name="agency-client"),
]
