from django.urls import path

from . import views

app_name = "mash"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("contacts/<uuid:contact_id>", views.contact, name="contact"),
    path("contacts/<uuid:contact_id>/rate", views.rate, name="rate"),
    path("contacts/<uuid:contact_id>/ask", views.ask, name="ask"),
    path("contacts/<uuid:contact_id>/decide", views.decide, name="decide"),
    path("contacts/<uuid:contact_id>/sign-off", views.sign_off, name="sign-off"),
    path("contacts/<uuid:contact_id>/return", views.return_decision, name="return"),
    path("contacts/<uuid:contact_id>/identify", views.identify_search, name="identify"),
    path("contacts/<uuid:contact_id>/identify/new", views.identify_new, name="identify-new"),
    path("contacts/<uuid:contact_id>/identify/undo", views.identify_undo, name="identify-undo"),
    path(
        "contacts/<uuid:contact_id>/identify/<uuid:child_id>", views.identify_confirm, name="identify-confirm"
    ),
    path("requests", views.agency_requests, name="requests"),
    path("requests/<uuid:request_id>", views.agency_request, name="request"),
]
