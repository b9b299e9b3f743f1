"""The JSON API: `GET /tra-cuu/api/v1/search` with a bearer token, and its OpenAPI 3 schema.

Plain Django views: one endpoint does not justify a REST framework. The token's account is the
user: its scope applies exactly as on the page, and every call is logged like a page search.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from hotich.records.schema.types import ROLES
from hotich.registers.domain import RegisterType
from hotich.search import services
from hotich.search.forms import PARAMETERS, SearchForm
from hotich.search.search import PAGE_SIZE, hit_json, person_search


def _unauthorized(message: str) -> JsonResponse:
    response = JsonResponse({"error": "unauthorized", "detail": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="hotich"'
    return response


@require_GET
def api_search(request: HttpRequest) -> JsonResponse:
    header = request.headers.get("Authorization", "")
    scheme, _sep, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return _unauthorized("Authorization: Bearer <token> is required")
    token = services.api_token_authenticate(key.strip())
    if token is None:
        return _unauthorized("unknown, revoked or disabled token")
    form = SearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": "invalid", "fields": form.errors.get_json_data()}, status=400)
    criteria = form.criteria()
    if criteria.is_empty:
        return JsonResponse(
            {"error": "invalid", "fields": {"q": [{"message": "required", "code": "required"}]}},
            status=400,
        )
    user = token.user
    result = person_search(user, criteria, form.cleaned_data.get("trang") or 1)
    services.lookup_log(
        actor=user,
        channel="api",
        query=criteria.q,
        filters=form.asked_filters(),
        purpose=form.cleaned_data.get("muc_dich") or "",
        page=result.page,
        record_ids=result.record_ids,
        token=token,
    )
    next_url = None
    if result.has_next:
        params = request.GET.copy()
        params["trang"] = str(result.page + 1)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return JsonResponse(
        {
            "query": criteria.q,
            "page": result.page,
            "page_size": PAGE_SIZE,
            "next": next_url,
            "results": [hit_json(h) for h in result.hits],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _param(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if name in ("nam_tu", "nam_den"):
        schema = {"type": "integer", "minimum": 1800, "maximum": 2200}
    elif name == "trang":
        schema = {"type": "integer", "minimum": 1, "maximum": 200, "default": 1}
    elif name == "loai":
        schema = {"type": "string", "enum": list(RegisterType.values)}
    elif name == "vai_tro":
        schema = {"type": "string", "enum": [r.key for r in ROLES.values()]}
    return {
        "name": name,
        "in": "query",
        "required": name == "q",
        "description": str(PARAMETERS[name]),
        "schema": schema,
    }


_PERSON = {
    "type": "object",
    "properties": {
        "role": {"type": "string"},
        "name": {"type": "string"},
        "birth_date": {"type": "string", "description": "as written: dd.mm.yyyy, mm.yyyy, yyyy"},
    },
}
_HIT = {
    "type": "object",
    "properties": {
        "party_id": {"type": "integer"},
        "rank": {"type": "integer", "description": "0 exact, 1 one character off, 2-3 partial"},
        "match": {"type": "string", "enum": ["exact", "one_char", "prefix", "suffix"]},
        "name": {"type": "string"},
        "role": {"type": "string"},
        "sex": {"type": "string"},
        "birth_date": {"type": "string"},
        "personal_id": {"type": "string"},
        "id_number": {"type": "string"},
        "record": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "register_type": {"type": "string"},
                "number": {"type": "string"},
                "registration_date": {"type": "string", "format": "date", "nullable": True},
                "status": {
                    "type": "string",
                    "description": "The record's keying and review status: to_key, draft, "
                    "submitted, returned or verified.",
                },
                "data_status": {
                    "type": "string",
                    "enum": ["keyed", "verified", "accepted", "delivered"],
                    "description": "How far the data were checked: keyed (not yet compared with "
                    "the paper register), verified (checked by a reviewer), accepted (its "
                    "register passed acceptance), delivered (handed to the national database).",
                },
                "register": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "volume": {"type": "string"},
                        "years": {"type": "string"},
                        "authority": {"type": "string"},
                    },
                },
            },
        },
        "parents": {"type": "array", "items": _PERSON},
    },
}


def openapi_schema(search_path: str) -> dict[str, Any]:
    error = {"type": "object", "properties": {"error": {"type": "string"}}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Hộ tịch số — person look-up API",
            "version": "1.0",
            "description": "Search every person of every civil-status record the token's "
            "account may see. Every call is kept in the look-up log.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Hit": _HIT, "Error": error},
        },
        "security": [{"bearer": []}],
        "paths": {
            search_path: {
                "get": {
                    "operationId": "searchPersons",
                    "summary": "Ranked search of persons in civil-status records",
                    "parameters": [_param(name) for name in PARAMETERS],
                    "responses": {
                        "200": {
                            "description": f"One page of at most {PAGE_SIZE} ranked results",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "query": {"type": "string"},
                                            "page": {"type": "integer"},
                                            "page_size": {"type": "integer"},
                                            "next": {"type": "string", "nullable": True},
                                            "results": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Hit"},
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": {"description": "Invalid parameters"},
                        "401": {"description": "Missing, unknown or revoked token"},
                    },
                }
            }
        },
    }


@require_GET
def openapi_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        openapi_schema(reverse("search:api_search")), json_dumps_params={"ensure_ascii": False}
    )
