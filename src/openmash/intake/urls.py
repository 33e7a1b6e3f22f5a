from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("report", views.start, name="start"),
    path("report/<uuid:draft_id>/child/choose", views.child_find, name="child-find"),
    path("report/<uuid:draft_id>/check", views.check, name="check"),
    path("report/<uuid:draft_id>/<slug:slug>", views.step, name="step"),
    path("report/sent/<uuid:contact_id>", views.sent, name="sent"),
    path("hub", views.hub_queue, name="hub-queue"),
    path("hub/<uuid:contact_id>", views.contact_detail, name="contact"),
    path("hub/<uuid:contact_id>/referrer", views.contact_referrer_open, name="contact-referrer-open"),
    path("records/<uuid:record_id>", views.feed_record_detail, name="feed-record"),
]
