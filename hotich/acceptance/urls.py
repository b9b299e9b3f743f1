from django.urls import path

from hotich.acceptance import views

app_name = "acceptance"
urlpatterns = [
    path("", views.acceptance_list, name="list"),
    path("so/<int:register_id>/", views.register_acceptance, name="register"),
    path("so/<int:register_id>/giai-trinh/", views.completeness_explain, name="explain"),
    path("so/<int:register_id>/chon-mau/", views.round_start, name="round_start"),
    path("so/<int:register_id>/mo-lai/", views.register_reopen, name="reopen"),
    path("dot/<int:round_id>/", views.round_detail, name="round"),
    path("dot/<int:round_id>/ket-luan/", views.round_decide, name="decide"),
    path("dot/<int:round_id>/huy/", views.round_cancel, name="cancel"),
    path("dot/<int:round_id>/bien-ban.pdf", views.round_pdf, name="round_pdf"),
    path("dot/<int:round_id>/bien-ban.xlsx", views.round_xlsx, name="round_xlsx"),
    path("mau/<int:check_id>/", views.check_record, name="check"),
]
