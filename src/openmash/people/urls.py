from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.my_children, name="my-children"),
    path("find", views.search, name="search"),
    path("<uuid:child_id>/", views.child_detail, name="child"),
    path("<uuid:child_id>/chronology", views.child_chronology_view, name="chronology"),
    path("<uuid:child_id>/chronology/print", views.child_chronology_print, name="chronology-print"),
    path("<uuid:child_id>/viewers", views.child_viewers, name="viewers"),
]
