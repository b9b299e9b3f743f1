from django.urls import path

from hotich.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_browse, name="browse"),
    path("tim/", views.unit_search_json, name="search"),
]
