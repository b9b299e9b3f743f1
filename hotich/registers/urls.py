from django.urls import path

from hotich.registers.views import bulk, pages

app_name = "registers"
urlpatterns = [
    path("", pages.register_list, name="list"),
    path("them/", pages.register_create_page, name="create"),
    path("nhap-danh-sach/", bulk.register_bulk_import, name="bulk_import"),
    path(
        "nhap-danh-sach/<int:job_id>/", bulk.register_bulk_import_result, name="bulk_import_result"
    ),
    path("nhap-danh-sach/mau.xlsx", bulk.register_bulk_template, name="bulk_template"),
    path("<int:register_id>/", pages.register_detail, name="detail"),
    path("<int:register_id>/sua/", pages.register_edit, name="edit"),
    path("<int:register_id>/trang-thai/", pages.register_transition_page, name="transition"),
    path("<int:register_id>/ban-giao/", pages.register_handover_page, name="handover"),
    path("<int:register_id>/phan-cong/", pages.register_assign_page, name="assign"),
    path(
        "<int:register_id>/phan-cong/<int:assignment_id>/huy/",
        pages.register_unassign_page,
        name="unassign",
    ),
]
