from django.urls import path

from hotich.accounts.views import audit, auth, jobs, offices, users

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", auth.login_page, name="login"),
    path("dang-xuat/", auth.logout_page, name="logout"),
    path("doi-mat-khau/", auth.password_change, name="password_change"),
    path("don-vi/", offices.office_list, name="office_list"),
    path("don-vi/them/", offices.office_create_page, name="office_create"),
    path("don-vi/<int:office_id>/", offices.office_edit, name="office_edit"),
    path("tai-khoan/", users.user_list, name="user_list"),
    path("tai-khoan/them/", users.user_create_page, name="user_create"),
    path("tai-khoan/<int:user_id>/", users.user_edit, name="user_edit"),
    path("tai-khoan/<int:user_id>/thao-tac/", users.user_action, name="user_action"),
    path("nhat-ky/", audit.audit_list, name="audit_list"),
    path("nhat-ky/<int:event_id>/", audit.audit_detail, name="audit_detail"),
    path("tac-vu-nen/", jobs.job_list, name="job_list"),
    path("tac-vu-nen/<int:job_id>/", jobs.job_action, name="job_action"),
]
