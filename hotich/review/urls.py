from django.urls import path

from hotich.review import arbitration_views, views

app_name = "review"
urlpatterns = [
    path("", views.review_queue_page, name="queue"),
    path("truong-hop/<int:record_id>/", views.record_review, name="record"),
    path("y-kien/<int:comment_id>/xong/", views.comment_resolve, name="comment_resolve"),
    path("doi-chieu/", arbitration_views.arbitration_queue_page, name="arbitration_queue"),
    path(
        "doi-chieu/truong-hop/<int:record_id>/",
        arbitration_views.record_arbitration,
        name="arbitration",
    ),
]
