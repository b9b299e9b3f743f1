from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


@login_required
def unit_browse(request: HttpRequest) -> HttpResponse:
    return render(request, "units/unit_browse.html", {})


@login_required
def unit_search_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"results": []})
