from django.urls import path

from hotich.search import api, extract_views, record_views, views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="page"),
    path("nhat-ky/", views.lookup_log_page, name="log"),
    path("api/", views.api_docs, name="api_docs"),
    path("api/khoa/", views.api_token_list, name="api_tokens"),
    path("api/khoa/<int:token_id>/thu-hoi/", views.api_token_revoke, name="api_token_revoke"),
    path("api/v1/search", api.api_search, name="api_search"),
    path("api/openapi.json", api.openapi_json, name="openapi"),
    path("ho-so/<int:record_id>/", record_views.record_page, name="record"),
    path("trich-luc/<int:record_id>/", extract_views.record_extract, name="extract"),
]
