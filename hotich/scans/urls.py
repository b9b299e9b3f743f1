from django.urls import path

from hotich.scans import views

app_name = "scans"
urlpatterns = [
    path("so/<int:register_id>/", views.scan_register_page, name="register"),
    path("so/<int:register_id>/tai-len/", views.scan_upload, name="upload"),
    path("so/<int:register_id>/tach/", views.scan_split, name="split"),
    path("lo/<int:batch_id>/", views.scan_batch_status, name="batch_status"),
    path("trang/<int:page_id>/anh/", views.scan_page_image, name="page_image"),
    path("trang/<int:page_id>/nho/", views.scan_page_thumb, name="page_thumb"),
    path("trang/<int:page_id>/pdf/", views.scan_page_pdf, name="page_pdf"),
    path("trang/<int:page_id>/thao-tac/", views.scan_page_action, name="page_action"),
]
