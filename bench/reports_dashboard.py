"""The supervision figures: `report_build` for a province, a district and a contractor.

Builds the province of `registers_list` (offices, one account per office, synthetic registers)
and, with `bulk_create`, `--records` keyed records spread over the registers that are being
keyed or are done, keyed by the district's operators and the contractors' staff over the last
year, with a review decision on a share of them. Then times what the dashboard and the
provincial report compute (`report_build`) for three viewers and two date ranges, and counts
the queries, which must not depend on the data size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from typing import Any

from bench import summary_ms, time_ms
from bench.registers_list import _create_offices, _create_registers, _create_users

DESCRIPTION = "supervision: report_build for province / district / contractor, two ranges"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--offices", type=int, default=200, help="offices to create")
    parser.add_argument("--registers", type=int, default=5_000, help="registers to create")
    parser.add_argument("--records", type=int, default=200_000, help="keyed records to create")
    parser.add_argument(
        "--reviewed", type=float, default=0.3, help="share of records with a review decision"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each case")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from hotich.accounts.models import User
    from hotich.core.synthetic import Synth
    from hotich.reports.figures import Filters
    from hotich.reports.queries import report_build, report_scope

    synth = Synth(args.seed)
    started = time.perf_counter()
    with transaction.atomic():
        offices, holders = _create_offices(synth, args.offices)
        users = _create_users(offices)
        _create_registers(synth, holders, args.registers, seed=args.seed)
    setup_done = time.perf_counter()
    with transaction.atomic():
        _create_records(args, users)
    records_done = time.perf_counter()

    def first(role: str, kind: str) -> User | None:
        return User.objects.select_related("office").filter(role=role, office__kind=kind).first()

    viewers = {
        "province admin": (first("province_admin", "province"), True),
        "district admin": (first("unit_admin", "district"), False),
        "contractor": (first("operator", "contractor"), False),
    }
    today = timezone.localdate()
    ranges = {
        "30 days": Filters(date_from=today - dt.timedelta(days=29), date_to=today),
        "365 days": Filters(date_from=today - dt.timedelta(days=364), date_to=today),
    }
    cases = []
    for who, (user, every_office) in viewers.items():
        if user is None:  # too few offices for a contractor
            continue
        scope = report_scope(user)
        assert scope is not None
        for label, filters in ranges.items():

            def build(scope: Any = scope, filters: Filters = filters, every: bool = every_office):
                return report_build(scope=scope, filters=filters, every_office=every)

            with CaptureQueriesContext(connection) as captured:
                report = build()
            samples = time_ms(build, repeat=args.repeat)
            cases.append(
                {
                    "user": who,
                    "range": label,
                    "offices": len(report.by_office),
                    "people": len(report.people),
                    "keyed": sum(p.keyed for p in report.people),
                    "queries": len(captured),
                    **summary_ms(samples),
                }
            )
    return {
        "offices": len(offices),
        "registers": args.registers,
        "records": args.records,
        "setup s": round(setup_done - started, 2),
        "insert records s": round(records_done - setup_done, 2),
        "worst p95 ms": max(case["p95_ms"] for case in cases),
        "cases": cases,
    }


def _create_records(args: argparse.Namespace, users: list[Any]) -> None:
    from django.utils import timezone

    from hotich.records.models import Record
    from hotich.registers.models import Register
    from hotich.review.models import ReviewDecision

    rng = random.Random(args.seed)
    working = list(
        Register.objects.filter(status__in=("keying", "review", "accepted", "delivered"))
        .order_by("pk")
        .values_list("pk", "custodian__path")
    )
    keyers = [u for u in users if u.role == "operator"]
    reviewers = [u for u in users if u.role in ("unit_admin", "province_admin")]
    if not working or not keyers:
        return
    now = timezone.now()
    statuses = ["submitted", "verified", "returned"]
    per_register = max(1, args.records // len(working))
    made = 0
    batch: list[Record] = []
    for register_id, _path in working:
        for sequence in range(1, per_register + 1):
            if made >= args.records:
                break
            if sequence % 50 == 1:  # a register is keyed by a few people in turn
                keyer = rng.choice(keyers)
            batch.append(
                Record(
                    register_id=register_id,
                    sequence=sequence,
                    number=f"{sequence:02d}",
                    status=rng.choices(statuses, (70, 25, 5))[0],
                    keyed_by=keyer,
                    keyed_at=now - dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60)),
                    updated_by=keyer,
                )
            )
            made += 1
            if len(batch) >= 5000:
                Record.objects.bulk_create(batch, batch_size=1000)
                batch = []
    Record.objects.bulk_create(batch, batch_size=1000)
    reviewed = list(
        Record.objects.order_by("?").values_list("pk", flat=True)[
            : int(args.records * args.reviewed)
        ]
    )
    decisions = [
        ReviewDecision(
            record_id=pk,
            reviewer=reviewers[i % len(reviewers)],
            outcome="returned" if i % 8 == 0 else "verified",
            status_before="submitted",
            version=1,
        )
        for i, pk in enumerate(reviewed)
    ]
    ReviewDecision.objects.bulk_create(decisions, batch_size=2000)
