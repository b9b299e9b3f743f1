from django.urls import path

from hotich.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_dashboard, name="dashboard"),
    path("xuat-excel/", views.report_dashboard_export, name="dashboard_export"),
    path("tinh/", views.report_province, name="province"),
    path("tinh/xuat-excel/", views.report_province_export, name="province_export"),
]
