from django.urls import path

from hotich.core import views

app_name = "core"
urlpatterns = [
    path("tac-vu/<int:job_id>/", views.job_status, name="job_status"),
]
