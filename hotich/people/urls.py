from django.urls import path

from hotich.people import duplicate_views, views

app_name = "people"
urlpatterns = [
    path("<int:party_id>/", views.person_page, name="person"),
    path("<int:party_id>/tim-lien-ket/", views.person_propose, name="person_propose"),
    path("lien-ket/", views.link_list, name="links"),
    path("lien-ket/tim/", views.links_propose, name="links_propose"),
    path("lien-ket/<int:link_id>/", views.link_decide, name="link_decide"),
    path("ban-trung/", duplicate_views.duplicate_list, name="duplicates"),
    path("ban-trung/tim/", duplicate_views.duplicates_find, name="duplicates_find"),
    path("ban-trung/<int:pair_id>/", duplicate_views.duplicate_pair, name="pair"),
]
