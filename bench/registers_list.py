"""The register list page's query: scoped to the user, filtered, first page plus the count.

Builds a province-shaped office tree (Sở Tư pháp, Phòng Tư pháp, communes, a few contractors),
one account per office and synthetic registers held by the registering offices, all with
`bulk_create`; then times `register_filter(register_list_for_user(user), params)` evaluated
as the page does it (`list(qs[:page])` and `qs.count()`) for three roles and several filters.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from itertools import islice
from typing import TYPE_CHECKING, Any

from bench import summary_ms, time_ms

if TYPE_CHECKING:
    from hotich.accounts.models import Office, User
    from hotich.core.synthetic import Synth

DESCRIPTION = "register list: scoped, filtered first page + count for three roles"

STATUS_WEIGHTS = {
    "inventoried": 40,
    "scanning": 15,
    "keying": 20,
    "review": 10,
    "accepted": 10,
    "delivered": 5,
}


def _office_count(value: str) -> int:
    count = int(value)
    if count < 3:
        raise argparse.ArgumentTypeError("a province needs at least 3 offices")
    return count


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--offices", type=_office_count, default=200, help="offices to create (at least 3)"
    )
    parser.add_argument("--registers", type=int, default=20_000, help="registers to create")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each case")
    parser.add_argument("--page", type=int, default=50, help="rows on the first page")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from hotich.accounts.models import User
    from hotich.core.synthetic import Synth
    from hotich.registers.queries import register_filter, register_list_for_user

    synth = Synth(args.seed)
    started = time.perf_counter()
    with transaction.atomic():
        offices, holders = _create_offices(synth, args.offices)
        users = _create_users(offices)
    offices_done = time.perf_counter()
    with transaction.atomic():
        _create_registers(synth, holders, args.registers, seed=args.seed)
    registers_done = time.perf_counter()

    def first(role: str, kind: str) -> User:
        """The first account of `role` in an office of `kind`, loaded as a request would."""
        accounts = User.objects.select_related("office").filter(role=role, office__kind=kind)
        return accounts.earliest("pk")

    viewers = {
        "province admin": first("province_admin", "province"),
        "district admin": first("unit_admin", "district"),
        "operator": first("operator", "commune"),
    }
    operator_office = viewers["operator"].office
    assert operator_office is not None
    commune_word = operator_office.name.split()[-1]
    filters: dict[str, dict[str, Any]] = {
        "none": {},
        "type=KS": {"type": "KS"},
        "status=keying": {"status": "keying"},
        "phase=1": {"phase": 1},
        "year=2010": {"year": 2010},
        f"q={commune_word}": {"q": commune_word},
        "KH+2001+legible": {"type": "KH", "year": 2001, "legibility": 1},
        "custodian": {"custodian": operator_office.pk},
    }
    cases = []
    for who, user in viewers.items():
        for label, params in filters.items():

            def page_and_count(user: User = user, params: dict[str, Any] = params) -> tuple:
                qs = register_filter(register_list_for_user(user), params)
                return list(qs[: args.page]), qs.count()

            with CaptureQueriesContext(connection) as captured:
                rows, total = page_and_count()
            samples = time_ms(page_and_count, repeat=args.repeat)
            cases.append(
                {
                    "user": who,
                    "filter": label,
                    "rows": len(rows),
                    "total": total,
                    "queries": len(captured),
                    **summary_ms(samples),
                }
            )
    return {
        "offices": len(offices),
        "users": len(users),
        "registers": args.registers,
        "setup offices+users s": round(offices_done - started, 2),
        "insert registers s": round(registers_done - offices_done, 2),
        "registers inserted / s": round(args.registers / max(registers_done - offices_done, 1e-9)),
        "repeat per case": args.repeat,
        "worst p95 ms": max(case["p95_ms"] for case in cases),
        "cases": cases,
    }


def _create_offices(
    synth: Synth, count: int
) -> tuple[list[Office], list[tuple[Office, tuple[str, str]]]]:
    """Province offices, about one district per 19 offices, a contractor per 40, communes.

    Returns every office, and the registering ones with their authority (name as written in
    the books, level).
    """
    from hotich.accounts.models import Office
    from hotich.core.synthetic import PROVINCES

    n_provinces = max(1, count // 250)
    n_contractors = count // 40
    n_districts = max(1, (count - n_provinces - n_contractors) // 19)
    n_communes = count - n_provinces - n_contractors - n_districts
    per_district = math.ceil(n_communes / n_districts) if n_communes else 0
    provinces: list[Office] = []
    districts: list[Office] = []
    communes: list[Office] = []
    authority: dict[int, tuple[str, str]] = {}  # id(office) -> (name as written, level)
    for p in range(n_provinces):
        name = PROVINCES[p % len(PROVINCES)]
        tree = synth.authority_tree(
            districts=n_districts // n_provinces + (p < n_districts % n_provinces),
            communes=per_district,
            province=name if p < len(PROVINCES) else f"{name} {p // len(PROVINCES) + 1}",
        )
        province = Office(name=f"Sở Tư pháp {tree['name']}", kind="province")
        authority[id(province)] = (tree["authority"], "province")
        provinces.append(province)
        for d in tree["children"]:
            district = Office(name=f"Phòng Tư pháp {d['name']}", kind="district", parent=province)
            authority[id(district)] = (d["authority"], "district")
            districts.append(district)
            for c in d["children"]:
                commune = Office(name=f"UBND {c['name']}", kind="commune", parent=district)
                authority[id(commune)] = (c["authority"], "commune")
                communes.append(commune)
    # Rounding up made a few communes too many; the last district gets fewer.
    communes = communes[:n_communes]
    contractors = [
        Office(
            name=f"Công ty TNHH Số hóa {synth.unit_name()} {i + 1}",
            kind="contractor",
            parent=districts[i % len(districts)],
        )
        for i in range(n_contractors)
    ]
    created: list[Office] = []
    for level in (provinces, districts, communes, contractors):
        # Parents are saved by now: bulk_create picks up their new primary keys.
        Office.objects.bulk_create(level, batch_size=500)
        for office in level:
            office.path = f"{office.parent.path if office.parent else '/'}{office.pk}/"
        Office.objects.bulk_update(level, ["path"], batch_size=500)
        created += level
    holders = [(o, authority[id(o)]) for o in created if id(o) in authority]
    return created, holders


def _create_users(offices: list[Office]) -> list[User]:
    from django.contrib.auth.hashers import make_password

    from hotich.accounts.models import User

    password = make_password("Benchmark2024x")
    users = []
    for i, office in enumerate(offices):
        role = {
            "province": "province_admin",
            "district": "unit_admin",
            "commune": "unit_admin" if i % 3 == 0 else "operator",
            "contractor": "operator",
        }[office.kind]
        users.append(
            User(
                username=f"u{office.pk}",
                office=office,
                role=role,
                password=password,
                full_name=f"Cán bộ {office.name}",
                must_change_password=False,
            )
        )
    return User.objects.bulk_create(users, batch_size=500)


def _create_registers(
    synth: Synth, holders: list[tuple[Office, tuple[str, str]]], count: int, *, seed: int
) -> None:
    from hotich.core.text import fold
    from hotich.registers.domain import phase_for_year, priority_for
    from hotich.registers.models import Register

    authorities = [auth for _office, auth in holders]
    keys = [fold(name) for name, _level in authorities]
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    rng = random.Random(seed)
    specs = synth.register_specs(count, authorities=authorities, year_range=(1955, 2024))
    while batch := list(islice(specs, 2000)):
        drawn = rng.choices(statuses, weights, k=len(batch))
        Register.objects.bulk_create(
            [
                Register(
                    custodian=holders[spec["authority_index"]][0],
                    register_type=spec["register_type"],
                    authority_name=spec["authority_name"],
                    authority_key=keys[spec["authority_index"]],
                    authority_level=spec["authority_level"],
                    year_start=spec["year_start"],
                    year_end=spec["year_end"],
                    volume=spec["volume"],
                    page_count=spec["page_count"],
                    declared_entries=spec["declared_entries"],
                    first_number=spec["first_number"],
                    last_number=spec["last_number"],
                    legibility=spec["legibility"],
                    condition_note=spec["condition_note"],
                    phase=phase_for_year(spec["year_start"]),
                    priority=priority_for(
                        legibility=spec["legibility"], register_type=spec["register_type"]
                    ),
                    status=status,
                )
                for spec, status in zip(batch, drawn, strict=True)
            ],
            batch_size=500,
        )
