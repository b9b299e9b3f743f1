from django.urls import path

from hotich.keying import double_views, views

app_name = "keying"
urlpatterns = [
    path("so/<int:register_id>/", views.key_register, name="register"),
    path("so/<int:register_id>/moi/", views.key_new, name="new"),
    path("so/<int:register_id>/kiem-tra/", views.key_validate, name="validate"),
    path("so/<int:register_id>/bang/", views.key_grid, name="grid"),
    path("so/<int:register_id>/bang/luu/", views.key_grid_save, name="grid_save"),
    path("so/<int:register_id>/nhap-hai-lan/", double_views.double_plan, name="double_plan"),
    path("ty-le-khop/", double_views.agreement_page, name="agreement"),
    path("truong-hop/<int:record_id>/", views.key_record, name="record"),
    path("truong-hop/<int:record_id>/ghi-chu/", views.margin_note_create, name="margin_note"),
]
