from django.urls import path

from . import views

app_name = "casework"

urlpatterns = [
    path("team/", views.team, name="team"),
    path("care-council/", views.care_council, name="care-council"),
    path("children/<uuid:child_id>/", views.child, name="child"),
    path("children/<uuid:child_id>/allocate", views.allocate, name="allocate"),
    path(
        "children/<uuid:child_id>/allocations/<uuid:relationship_id>/end",
        views.allocation_end,
        name="allocation-end",
    ),
    path("children/<uuid:child_id>/visits/new", views.visit_new, name="visit-new"),
    path("children/<uuid:child_id>/plans/new", views.plan_new, name="plan-new"),
    path("children/<uuid:child_id>/plans/<uuid:plan_id>/", views.plan_detail, name="plan"),
    path(
        "children/<uuid:child_id>/plans/<uuid:plan_id>/actions/<uuid:action_id>/",
        views.action_update,
        name="action-update",
    ),
    path(
        "children/<uuid:child_id>/plans/<uuid:plan_id>/legal-status/new",
        views.legal_status_new,
        name="legal-status-new",
    ),
    path(
        "children/<uuid:child_id>/plans/<uuid:plan_id>/adviser",
        views.adviser_change,
        name="adviser-change",
    ),
    path(
        "children/<uuid:child_id>/plans/<uuid:plan_id>/placements/new",
        views.placement_new,
        name="placement-new",
    ),
    path(
        "children/<uuid:child_id>/plans/<uuid:plan_id>/long-term-visits",
        views.long_term_visits,
        name="long-term-visits",
    ),
    path(
        "children/<uuid:child_id>/plans/<uuid:plan_id>/pathway/<str:dimension>",
        views.pathway_dimension,
        name="pathway-dimension",
    ),
    path("children/<uuid:child_id>/meetings/new", views.meeting_new, name="meeting-new"),
    path("children/<uuid:child_id>/missing/new", views.missing_new, name="missing-new"),
    path("children/<uuid:child_id>/missing/<uuid:episode_id>/", views.missing_detail, name="missing"),
    path("children/<uuid:child_id>/care-council/new", views.care_council_new, name="care-council-new"),
    path("children/<uuid:child_id>/closure", views.closure, name="closure"),
]
