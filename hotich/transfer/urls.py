from django.urls import path

from hotich.transfer import export_views, views

app_name = "transfer"
urlpatterns = [
    # Excel import into a register
    path("so/<int:register_id>/nhap-excel/", views.import_start, name="import_start"),
    path("nhap/<int:import_id>/", views.import_detail, name="import_detail"),
    path("nhap/<int:import_id>/xac-nhan/", views.import_confirm, name="import_confirm"),
    path("nhap/<int:import_id>/tep-loi/", views.import_error_file, name="import_error_file"),
    # Deliverable packages
    path("so/<int:register_id>/goi/", export_views.package_list, name="package_list"),
    path("so/<int:register_id>/goi/tao/", export_views.package_create, name="package_create"),
    path(
        "goi/<int:package_id>/<str:kind>/", export_views.package_download, name="package_download"
    ),
]
