"""Person search latency: a first page of 50 ranked results over N generated records.

Builds a province of `--offices` commune offices under ten district offices, each commune with
registers of about 200 records, and `--records` birth-register records (default 1,000,000) with
their four people (registered person, mother, father, declarant: about 4 N parties), written
with prepared INSERTs (`core.fastinsert`) while the party indexes are dropped; then builds what
the search needs and times it: the party indexes (re-created from their own definitions) and
the name-syllable vocabulary of typo search, with the size the indexes take.

Then, as the look-up officer of one commune office (scoping on: about 1/`--offices` of the data
is visible), it runs a mix of `--queries` queries drawn from the generated people, in and out of
that office: exact names as written, accent-free / upper-case / decomposed (NFD) spellings,
one-character typos, family + middle names, middle + given names, the family name with a birth
year, personal ID numbers, and names with filters (register type, registration years, birth
date, parent's name, role, authority). Each query runs `person_search` (ranked tiers, scope,
filters, the page's people with their record, register and parents, the keying permission),
`--repeat` times after one warm-up call. Reported: p50 / p95 / max per kind and overall.
"""

from __future__ import annotations

import argparse
import random
import time
import unicodedata
from functools import partial
from typing import Any

from bench import percentile, summary_ms, time_ms

DESCRIPTION = "person search: first page of 50 ranked results, scoped, over N generated records"

TARGET_P95_MS = {"sqlite": 20.0, "postgresql": 50.0}
ROLES = ("registered", "mother", "father", "declarant")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--records", type=int, default=1_000_000, help="records to generate")
    parser.add_argument("--offices", type=int, default=100, help="commune offices")
    parser.add_argument("--queries", type=int, default=200, help="queries in the mix")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each query")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from hotich.search.vocabulary import vocabulary, vocabulary_forget, vocabulary_update

    started = time.perf_counter()
    offices, user = _offices(args.offices)
    registers = _registers(offices, args.records)
    generated = _generate(registers, args.records, args.seed)
    generate_s = time.perf_counter() - started

    index_s, index_mb = _build_indexes()
    vocab_started = time.perf_counter()
    vocabulary_update()
    vocabulary_s = time.perf_counter() - vocab_started
    vocabulary_forget()
    tokens = len(vocabulary())
    if connection.vendor == "postgresql":
        # What autovacuum does on a server at rest: statistics, and the visibility map that
        # lets the name indexes answer without reading the table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    queries = _queries(generated, user, args.queries, args.seed)
    rows, all_samples = _time_queries(user, queries, args.repeat)
    p95 = percentile(all_samples, 95)
    target = TARGET_P95_MS.get(connection.vendor, 50.0)
    return {
        "records": args.records,
        "parties": generated["parties"],
        "offices": args.offices,
        "visible_records": generated["visible"],
        "generate_and_insert_s": round(generate_s, 1),
        "index_build_s": round(index_s, 1),
        "index_size_mb": round(index_mb, 1),
        "vocabulary_build_s": round(vocabulary_s, 1),
        "vocabulary_tokens": tokens,
        "queries": len(queries),
        **summary_ms(all_samples),
        "target_p95_ms": target,
        "p95_within_target": p95 <= target,
        "by_kind": rows,
    }


def _offices(count: int) -> tuple[list[Any], Any]:
    from hotich.accounts.models import Office, User

    province = Office.objects.create(name="Sở Tư pháp tỉnh Thử Nghiệm", kind="province")
    province.path = f"/{province.pk}/"
    province.save(update_fields=["path"])
    districts = []
    for d in range(10):
        office = Office.objects.create(
            name=f"Phòng Tư pháp huyện {d + 1}", kind="district", parent=province
        )
        office.path = f"{province.path}{office.pk}/"
        office.save(update_fields=["path"])
        districts.append(office)
    communes = Office.objects.bulk_create(
        [
            Office(name=f"UBND xã {n + 1}", kind="commune", parent=districts[n % 10])
            for n in range(count)
        ]
    )
    for n, office in enumerate(communes):
        office.path = f"{districts[n % 10].path}{office.pk}/"
    Office.objects.bulk_update(communes, ["path"])
    user = User.objects.create(
        username="tracuu", office=communes[0], role="lookup", must_change_password=False
    )
    user = User.objects.select_related("office").get(pk=user.pk)
    return communes, user


def _registers(offices: list[Any], records: int) -> list[Any]:
    from hotich.core.text import fold
    from hotich.registers.models import Register

    per_register = 200
    count = max(len(offices), records // per_register)
    rows = []
    for n in range(count):
        office = offices[n % len(offices)]
        year = 1976 + (n // len(offices)) % 49
        name = f"UBND xã {n % len(offices) + 1}, huyện {n % 10 + 1}"
        rows.append(
            Register(
                custodian=office,
                register_type="KS",
                authority_name=name,
                authority_key=fold(name),
                authority_level="commune",
                year_start=year,
                volume=f"{n // len(offices) + 1:02d}",
                declared_entries=per_register,
                legibility=1,
            )
        )
    return Register.objects.bulk_create(rows, batch_size=1000)


def _generate(registers: list[Any], count: int, seed: int) -> dict[str, Any]:
    """Records and parties as prepared rows; a sample of people kept to draw queries from."""
    from django.db import transaction

    from hotich.core.fastinsert import db_date, db_datetime, insert_rows, large_write_cache
    from hotich.core.synthetic import Synth
    from hotich.records.models import Party, Record
    from hotich.records.services import _fold_name

    synth = Synth(seed)
    rng = random.Random(seed + 1)
    people = synth.people(count * 4, year_range=(1930, 2024), id_share=0.35)
    now = db_datetime(time_now())
    record_cols = (
        "id", "register_id", "sequence", "source", "data", "number", "number_sort",
        "registration_date", "registration_year", "error_count", "warning_count", "ack",
        "has_unreadable", "status", "created_at", "updated_at", "version",
    )  # fmt: skip
    party_cols = (
        "record_id", "register_id", "registration_year", "role", "full_name", "name_key",
        "name_rev", "sex", "pid", "id_number", "birth_year", "birth_month", "birth_day",
        "birth_text", "ethnicity", "nationality", "residence", "birthplace",
    )  # fmt: skip
    visible_registers = {r.pk for r in registers if r.custodian_id == registers[0].custodian_id}
    samples: list[dict[str, Any]] = []
    visible = parties = 0
    per_register = max(1, count // len(registers))
    import datetime as dt

    _drop_party_indexes()
    with transaction.atomic():
        large_write_cache()
        record_rows: list[tuple[Any, ...]] = []
        party_rows: list[tuple[Any, ...]] = []
        for n in range(count):
            pk = n + 1
            register = registers[min(n // per_register, len(registers) - 1)]
            seq = n % per_register + 1
            year = register.year_start
            date = dt.date(year, 1 + seq % 12, 1 + seq % 28)
            record_rows.append(
                (
                    pk, register.pk, seq, "import", "{}", f"{seq:02d}", seq, db_date(date), year,
                    0, 0, "[]", False, "submitted", now, now, 1,
                )
            )  # fmt: skip
            family: dict[str, Any] = {}
            for role in ROLES:
                person = next(people)
                birth = person["birth"]
                if role == "registered":
                    birth = {"year": year, "month": date.month, "day": 1, "text": ""}
                    birth["text"] = f"01.{date.month:02d}.{year}"
                key, rev = _fold_name(person["full_name"])
                pid = person["id_number"] if role != "declarant" else ""
                party_rows.append(
                    (
                        pk, register.pk, year, role, person["full_name"], key, rev,
                        str(person["sex"]), pid, "", birth["year"], birth["month"],
                        birth["day"], birth["text"], person["ethnicity"], "Việt Nam", "", "",
                    )
                )  # fmt: skip
                family[role] = (person["full_name"], birth, pid)
            parties += 4
            if register.pk in visible_registers:
                visible += 1
            if rng.random() < 0.002 or (register.pk in visible_registers and rng.random() < 0.02):
                samples.append(
                    {
                        "family": family,
                        "visible": register.pk in visible_registers,
                        "year": year,
                        "authority": register.authority_name,
                    }
                )
            if len(record_rows) >= 5000:
                insert_rows(Record, record_cols, record_rows, json_columns=("data", "ack"))
                insert_rows(Party, party_cols, party_rows)
                record_rows, party_rows = [], []
        insert_rows(Record, record_cols, record_rows, json_columns=("data", "ack"))
        insert_rows(Party, party_cols, party_rows)
    return {"samples": samples, "visible": visible, "parties": parties}


def time_now() -> Any:
    from django.utils import timezone

    return timezone.now()


_DROPPED: list[str] = []


def _party_indexes() -> list[tuple[str, str]]:
    """(name, CREATE statement) of every index of the party table but its primary key."""
    from django.db import connection

    from hotich.records.models import Party

    table = Party._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
                " AND indexname NOT LIKE %s",
                [table, "%_pkey"],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL",
                [table],
            )
        return list(cursor.fetchall())


def _drop_party_indexes() -> None:
    from django.db import connection

    _DROPPED[:] = []
    with connection.cursor() as cursor:
        for name, sql in _party_indexes():
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            _DROPPED.append(sql)


def _database_mb() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0] / 1e6
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return pages * cursor.fetchone()[0] / 1e6


def _build_indexes() -> tuple[float, float]:
    """Re-create the party indexes; (seconds, MB they take)."""
    from django.db import connection

    before = _database_mb()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in _DROPPED:
            cursor.execute(sql)
    took = time.perf_counter() - started
    return took, _database_mb() - before


def _spellings(name: str, rng: random.Random) -> str:
    from hotich.core.text import fold

    choice = rng.randrange(3)
    if choice == 0:
        return fold(name)
    if choice == 1:
        return name.upper()
    return unicodedata.normalize("NFD", name.lower())


def _typo(name: str, rng: random.Random) -> str:
    from hotich.core.text import fold

    tokens = fold(name).split()
    i = rng.randrange(len(tokens))
    token = tokens[i]
    j = rng.randrange(len(token))
    kind = rng.randrange(3)
    if kind == 0 and len(token) > 1:
        token = token[:j] + token[j + 1 :]
    elif kind == 1:
        token = token[:j] + rng.choice("aehnt") + token[j + 1 :]
    else:
        token = token[:j] + rng.choice("ghn") + token[j:]
    tokens[i] = token
    return " ".join(tokens)


def _queries(generated: dict[str, Any], user: Any, n: int, seed: int) -> list[tuple[str, Any]]:
    from hotich.core.text import fold
    from hotich.search.search import Criteria

    rng = random.Random(seed + 2)
    samples = generated["samples"]
    inside = [s for s in samples if s["visible"]] or samples
    mix = [
        ("exact", 30), ("spelling", 25), ("typo", 30), ("family+middle", 20),
        ("middle+given", 20), ("family+year", 25), ("personal id", 20), ("filters", 30),
    ]  # fmt: skip
    out: list[tuple[str, Any]] = []
    for kind, share in mix:
        for _ in range(round(share * n / 200)):
            # Three in four about people of the officer's own office, one elsewhere (found by
            # the indexes, then refused by the scope).
            sample = rng.choice(inside if rng.random() < 0.75 else samples)
            role = rng.choice(ROLES)
            name, birth, pid = sample["family"][role]
            tokens = fold(name).split()
            if kind == "exact":
                c = Criteria(q=name)
            elif kind == "spelling":
                c = Criteria(q=_spellings(name, rng))
            elif kind == "typo":
                c = Criteria(q=_typo(name, rng))
            elif kind == "family+middle":
                c = Criteria(q=" ".join(tokens[:2]))
            elif kind == "middle+given":
                c = Criteria(q=" ".join(tokens[-2:]))
            elif kind == "family+year":
                c = Criteria(q=tokens[0], birth_year=birth["year"])
            elif kind == "personal id":
                # a person who has one (about a third of them do)
                while not pid:
                    sample = rng.choice(inside if rng.random() < 0.75 else samples)
                    name, birth, pid = sample["family"][rng.choice(ROLES[:3])]
                c = Criteria(q=pid)
            else:
                child, child_birth, _pid = sample["family"]["registered"]
                mother = sample["family"]["mother"][0]
                c = rng.choice(
                    [
                        Criteria(q=child, register_type="KS"),
                        Criteria(q=child, year_from=sample["year"] - 1, year_to=sample["year"]),
                        Criteria(
                            q=child,
                            birth_year=child_birth["year"],
                            birth_month=child_birth["month"],
                        ),
                        Criteria(q=" ".join(fold(child).split()[:1]), parent=mother),
                        Criteria(q=name, role=role),
                        Criteria(q=child, authority=sample["authority"]),
                    ]
                )
            out.append((kind, c))
    return out


def _time_queries(
    user: Any, queries: list[tuple[str, Any]], repeat: int
) -> tuple[list[dict[str, Any]], list[float]]:
    from hotich.search.search import person_search

    by_kind: dict[str, list[float]] = {}
    hits: dict[str, list[int]] = {}
    slowest: list[tuple[float, str, Any]] = []
    for kind, criteria in queries:
        samples = time_ms(partial(person_search, user, criteria), repeat=repeat)
        by_kind.setdefault(kind, []).extend(samples)
        hits.setdefault(kind, []).append(len(person_search(user, criteria).hits))
        slowest.append((percentile(samples, 50), kind, criteria))
    rows = []
    everything: list[float] = []
    for kind, samples in by_kind.items():
        everything += samples
        found = hits[kind]
        rows.append(
            {
                "kind": kind,
                "queries": len(found),
                "with_hits": sum(1 for h in found if h),
                "mean_hits": round(sum(found) / len(found), 1),
                **summary_ms(samples),
            }
        )
    slowest.sort(key=lambda item: item[0], reverse=True)
    for ms, kind, criteria in slowest[:5]:
        asked = {k: v for k, v in vars(criteria).items() if v not in ("", None)}
        print(f"slow: {ms:7.1f} ms  {kind:<14} {asked}")
    return rows, everything
