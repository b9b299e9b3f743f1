from django.urls import path

from hotich.review import views

app_name = "review"
urlpatterns = [
    path("", views.review_queue_page, name="queue"),
    path("truong-hop/<int:record_id>/", views.record_review, name="record"),
    path("y-kien/<int:comment_id>/xong/", views.comment_resolve, name="comment_resolve"),
]
