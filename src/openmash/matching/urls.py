from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("reviews/", views.review_queue, name="reviews"),
    path("reviews/<uuid:review_id>/", views.review_detail, name="review"),
    path("merges/", views.merges, name="merges"),
    path("merges/<uuid:merge_id>/unmerge/", views.unmerge, name="unmerge"),
]
