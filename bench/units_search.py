"""The unit type-ahead: `unit_search` over the whole list, and the JSON endpoint behind the picker.

Loads both unit lists with `units_load` when the database has none (and reports how long that
took), then draws realistic queries from the loaded names: accented and accent-free names,
upper case, the first letters of a name, NFD-decomposed input, province names, a commune with its
district or province, and a fixed list of short, very common queries ("xa", "phuong 1"). Each
query is timed `--repeat` times; the endpoint is timed through Django's test client with a
signed-in account.
"""

from __future__ import annotations

import argparse
import random
import time
import unicodedata
from functools import partial
from typing import TYPE_CHECKING, Any

from bench import summary_ms, time_ms

if TYPE_CHECKING:
    from hotich.units.models import AdminUnit

DESCRIPTION = "unit type-ahead: unit_search over ~14,000 units and the JSON endpoint"

COMMON = [
    "xa", "phuong", "phuong 1", "quan 1", "ha noi", "ho chi minh", "Hồ Chí Minh", "tan",
    "tan thanh", "phuoc tinh", "ba ria vung tau", "da nang", "hue", "can tho", "an", "binh",
    "thi tran", "dac khu", "con dao", "long",
]  # fmt: skip
KINDS = (
    "Thành phố ",
    "Tỉnh ",
    "Quận ",
    "Huyện ",
    "Thị xã ",
    "Thị trấn ",
    "Phường ",
    "Xã ",
    "Đặc khu ",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--queries", type=int, default=280, help="generated queries (>= 200 advised)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each query")
    parser.add_argument("--limit", type=int, default=20, help="results asked for")
    parser.add_argument(
        "--http", type=int, default=100, help="queries also timed through the endpoint (0: none)"
    )


def short(name: str) -> str:
    """A name as people type it: without its kind ("Xã Phước Tỉnh" -> "Phước Tỉnh")."""
    for kind in KINDS:
        if name.startswith(kind):
            return name[len(kind) :]
    return name


def make_queries(
    units: list[AdminUnit], provinces: list[AdminUnit], n: int, seed: int
) -> list[tuple[str, str]]:
    """`n` (category, query) pairs drawn from real unit names, plus the common queries."""
    from hotich.core.text import fold

    rng = random.Random(seed)

    def parent_part(unit: AdminUnit) -> str:
        parent = unit.parent
        return short(parent.name) if parent else ""

    makers = {
        "accented": lambda u: short(u.name),
        "no diacritics": lambda u: fold(short(u.name)),
        "upper case": lambda u: short(u.name).upper(),
        "partial": lambda u: fold(short(u.name))[: rng.randint(3, 7)],
        "nfd": lambda u: unicodedata.normalize("NFD", short(u.name)),
        "with kind": lambda u: fold(u.name),
        "with parent": lambda u: fold(f"{short(u.name)} {parent_part(u)}"),
        "province": lambda u: rng.choice([short, lambda s: fold(short(s))])(
            rng.choice(provinces).name
        ),
    }
    queries = [("common", q) for q in COMMON]
    for i in range(n):
        category = list(makers)[i % len(makers)]
        queries.append((category, makers[category](rng.choice(units))))
    rng.shuffle(queries)
    return queries


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    from hotich.accounts.models import User
    from hotich.units.loader import units_load
    from hotich.units.models import AdminUnit, UnitSuccession
    from hotich.units.queries import unit_search

    load_s = None
    if not AdminUnit.objects.exists():
        started = time.perf_counter()
        units_load()
        load_s = round(time.perf_counter() - started, 2)
    units = list(AdminUnit.objects.exclude(level=AdminUnit.Level.PROVINCE).select_related("parent"))
    provinces = list(AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE))
    queries = make_queries(units, provinces, args.queries, args.seed)

    samples: list[float] = []
    by_category: dict[str, list[float]] = {}
    empty = 0
    for category, q in queries:
        found = unit_search(q, limit=args.limit)
        empty += not found
        taken = time_ms(partial(unit_search, q, limit=args.limit), repeat=args.repeat)
        samples += taken
        by_category.setdefault(category, []).extend(taken)

    result: dict[str, Any] = {
        "units": AdminUnit.objects.count(),
        "successions": UnitSuccession.objects.count(),
        "load s": load_s if load_s is not None else "already loaded",
        "queries": len(queries),
        "timed calls": len(samples),
        "queries with no result": empty,
        **summary_ms(samples),
    }
    if args.http:
        user = User.objects.create(
            username="bench-units", role="lookup", must_change_password=False
        )
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        url = reverse("units:search")
        http: list[float] = []
        for _category, q in queries[: args.http]:
            response = client.get(url, {"q": q, "limit": args.limit})
            assert response.status_code == 200, response.status_code
            call = partial(client.get, url, {"q": q, "limit": args.limit})
            http += time_ms(call, repeat=args.repeat)
        result.update({f"http {k}": v for k, v in summary_ms(http).items()})
    result["by category"] = [
        {"category": name, "calls": len(taken), **summary_ms(taken)}
        for name, taken in sorted(by_category.items())
    ]
    return result
