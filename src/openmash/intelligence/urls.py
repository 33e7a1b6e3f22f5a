from django.urls import path

from . import views

app_name = "intelligence"

urlpatterns = [
    path("", views.home, name="home"),
    path("network/", views.network, name="network"),
    path("entities/<uuid:entity_id>/", views.entity, name="entity"),
    path("entities/<uuid:entity_id>/volt", views.volt, name="volt"),
    path("links/<uuid:link_id>/review", views.link_review, name="link-review"),
    path("map/", views.places_map, name="map"),
    path("export/", views.export, name="export"),
    path("alerts/run", views.alerts_run, name="alerts-run"),
    path("children/<uuid:child_id>/network", views.child_network, name="child-network"),
]
