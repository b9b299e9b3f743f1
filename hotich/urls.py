from django.urls import include, path
from django.views.i18n import set_language

from hotich.registers.views import register_my_work

urlpatterns = [
    path("", register_my_work, name="home"),
    path("", include("hotich.core.urls")),
    path("", include("hotich.accounts.urls")),
    path("don-vi-hanh-chinh/", include("hotich.units.urls")),
    path("so/", include("hotich.registers.urls")),
    path("scan/", include("hotich.scans.urls")),
    path("nhap-lieu/", include("hotich.keying.urls")),
    path("trao-doi/", include("hotich.transfer.urls")),
    path("kiem-tra/", include("hotich.review.urls")),
    path("nghiem-thu/", include("hotich.acceptance.urls")),
    path("tra-cuu/", include("hotich.search.urls")),
    path("nguoi/", include("hotich.people.urls")),
    path("bao-cao/", include("hotich.reports.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
]
