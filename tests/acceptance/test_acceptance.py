"""Completeness and acceptance by sampling: every transition, and what may not happen.

A small birth register is keyed, scanned, verified and put under review; the tests break it in
known ways (a gap, a repeat, a page with no record, a count that differs), explain the problems,
draw a sample, check it and decide, then read the acceptance record back from PDF and Excel.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from hotich.acceptance.domain import draw_sample, error_rates, passes, sample_size
from hotich.acceptance.models import AcceptanceCheck, AcceptanceRound, CompletenessNote
from hotich.acceptance.queries import register_completeness
from hotich.acceptance.services import (
    acceptance_check_save,
    acceptance_round_cancel,
    acceptance_round_decide,
    acceptance_round_start,
    completeness_explain,
)
from hotich.core.models import AuditEvent
from hotich.records.models import Record
from hotich.records.services import record_save
from hotich.registers.models import Assignment, Register
from hotich.registers.services import register_transition
from hotich.review.services import record_verify
from hotich.scans.models import PageLink, ScanBatch, ScanFile, ScanPage
from tests.factories import RegisterFactory, UserFactory
from tests.records.test_record_save import BIRTH

# ---- building a register


def key(register: Register, actor, number: int, **changes: str) -> Record:
    """Key an entry; numbering warnings (a gap, a repeat) are seen and accepted, as an operator
    keying what the register says would."""
    raw = {**BIRTH, "so": f"{number:02d}", **changes}
    result = record_save(actor=actor, register=register, raw=raw)
    if any(e.code == "duplicate" for e in result.errors):
        # A repeated number is an error until the custodian explains it (the register really
        # repeats it); then it is a warning like the others.
        CompletenessNote.objects.create(
            register=register,
            kind="repeat",
            key=f"repeat:{result.record.registration_year or 2010}:{number}",
            text="Sổ ghi trùng số",
            by=register.custodian.users.filter(role="unit_admin").first() or actor,
        )
        result = record_save(actor=actor, register=register, record=result.record, raw=raw)
    warnings = [i.code for i in result.issues if i.level == "warning"]
    if warnings and not result.errors:
        result = record_save(
            actor=actor,
            register=register,
            record=result.record,
            raw=raw,
            ack=warnings,
        )
    return result.record


def page(register: Register, by, record: Record | None = None) -> ScanPage:
    batch = ScanBatch.objects.create(register=register, created_by=by)
    source = ScanFile.objects.create(
        register=register, batch=batch, original_name="a.pdf", uploaded_by=by
    )
    sequence = register.scan_pages.count() + 1
    scan = ScanPage.objects.create(
        register=register, source=source, source_index=0, sequence=sequence, pdf="p.pdf",
        image="p.jpg", thumb="p-t.jpg", width=600, height=850,
    )  # fmt: skip
    if record is not None:
        PageLink.objects.create(record=record, page=scan)
    return scan


def to_review(register: Register, admin) -> Register:
    """The rest of the way to review (keying every declared entry moves it there by itself)."""
    register.refresh_from_db()
    order = ["inventoried", "scanning", "keying", "review"]
    for status in order[order.index(register.status) + 1 :]:
        register = register_transition(actor=admin, register=register, to=status)
    return register


def build(users, tree, numbers=(1, 2, 3, 4, 5), *, volume="01", verify=True, **attrs) -> Register:
    """A register whose entries carry `numbers`, each keyed by the operator on its own scanned
    page and (by default) verified by the reviewer, in review."""
    attrs.setdefault("declared_entries", len(numbers))
    attrs.setdefault("page_count", len(numbers))
    register = RegisterFactory(custodian=tree["phong"], volume=volume, **attrs)
    for n in numbers:
        record = key(register, users["operator"], n)
        page(register, users["unit_admin"], record)
        if verify:
            record_verify(actor=users["reviewer"], record=record)
    return to_review(register, users["unit_admin"])


@pytest.fixture
def admin(users):
    return users["unit_admin"]


@pytest.fixture
def checker(users):
    """An independent checker: the province administrator (sees the district's registers,
    neither keyed nor verified anything)."""
    return users["province_admin"]


@pytest.fixture
def book(users, tree) -> Register:
    return build(users, tree)


def check_all(acceptance_round: AcceptanceRound, actor, wrong: dict[int, list[str]] | None = None):
    wrong = wrong or {}
    for check in acceptance_round.checks.order_by("position"):
        acceptance_check_save(actor=actor, check=check, wrong_fields=wrong.get(check.position, []))


# ---- completeness


def test_a_complete_register_has_its_counts_and_no_problem(book):
    completeness = register_completeness(book)
    assert completeness.counts == {
        "declared": 5,
        "records": 5,
        "keyed": 5,
        "verified": 5,
        "pages_declared": 5,
        "pages": 5,
        "pages_linked": 5,
        "records_with_scan": 5,
    }
    assert completeness.problems == []
    assert completeness.complete


def test_gaps_repeats_unlinked_pages_and_counts_are_found_each_under_a_stable_key(
    users, tree, admin
):
    register = build(users, tree, numbers=(1, 2, 2, 5), declared_entries=6, page_count=4)
    stray = page(register, admin)  # a page linked to no record
    unscanned = key(register, users["operator"], 6)  # keyed, no scan, not verified
    # The next volume of the same authority, type and year repeats number 06.
    other = RegisterFactory(custodian=tree["phong"], volume="02", declared_entries=1)
    key(other, users["operator"], 6)

    problems = {p.key: p for p in register_completeness(register).problems}

    assert set(problems) == {
        "count:6:5",
        "pages:4:5",
        "gap:2010:3-4",
        "repeat:2010:2",
        "repeat:2010:6",
        f"page:{stray.pk}",
        f"no_scan:{unscanned.pk}",
        f"unverified:{unscanned.pk}",
    }
    assert problems["gap:2010:3-4"].label == "Năm 2010: thiếu các số 03 – 04 (2 số)."
    assert problems["repeat:2010:2"].label == "Năm 2010: số 02 có 2 trường hợp."
    assert problems["repeat:2010:6"].label == "Năm 2010: số 06 có 2 trường hợp (1 ở quyển khác)."
    assert problems["count:6:5"].label == "Sổ ghi 6 trường hợp, đã có 5 trường hợp."
    assert (
        problems[f"page:{stray.pk}"].label == f"Trang {stray.sequence} chưa gắn với trường hợp nào."
    )
    # The same facts give the same keys the next time.
    assert {p.key for p in register_completeness(register).problems} == set(problems)


def test_numbering_continues_from_the_previous_volume_and_the_declared_last_number(users, tree):
    first = build(users, tree, numbers=(1, 2, 3), volume="01")
    second = build(users, tree, numbers=(4, 5), volume="02", last_number="07")
    assert register_completeness(first).problems == []
    # 04 follows 03 of volume 01; the register says it ends at 07, so 06 – 07 are missing.
    assert [p.key for p in register_completeness(second).problems] == ["gap:2010:6-7"]


def test_a_register_that_starts_at_a_declared_first_number_has_no_gap_before_it(users, tree):
    register = build(users, tree, numbers=(41, 42), first_number="41")
    assert register_completeness(register).problems == []


def test_a_flagged_page_is_a_problem_until_explained(users, tree, book):
    scan = book.scan_pages.first()
    ScanPage.objects.filter(pk=scan.pk).update(status="rescan", status_note="mờ")
    [problem] = register_completeness(book).problems
    assert (problem.key, problem.label) == (f"flagged:{scan.pk}", "Trang 1: Cần scan lại — mờ.")


def test_an_explanation_is_recorded_with_who_and_audited_and_can_be_replaced(users, tree, admin):
    register = build(users, tree, numbers=(1, 2, 4), declared_entries=3)
    [gap] = register_completeness(register).problems
    completeness_explain(
        actor=admin, register=register, keys=[gap.key], text="Số 03 bị hủy trong sổ"
    )
    [explained] = register_completeness(register).problems
    assert explained.note.text == "Số 03 bị hủy trong sổ"
    assert explained.note.by == admin and explained.note.kind == "gap"
    assert register_completeness(register).complete

    completeness_explain(
        actor=admin, register=register, keys=[gap.key], text="Số 03 bị gạch, hủy trong sổ"
    )
    assert CompletenessNote.objects.get().text == "Số 03 bị gạch, hủy trong sổ"
    first, second = AuditEvent.objects.filter(action="acceptance.explain").order_by("id")
    assert first.after["text"] == "Số 03 bị hủy trong sổ" and first.before is None
    assert first.after["problem"] == "Năm 2010: thiếu số 03."
    assert second.before == {"key": "gap:2010:3-3", "text": "Số 03 bị hủy trong sổ"}


def test_only_the_custodians_administrators_explain_and_only_problems_that_exist(
    users, tree, admin
):
    register = build(users, tree, numbers=(1, 3), declared_entries=2)
    for role in ("operator", "reviewer", "contractor", "other_admin", "other_province"):
        with pytest.raises(PermissionDenied):
            completeness_explain(
                actor=users[role], register=register, keys=["gap:2010:2-2"], text="x"
            )
    with pytest.raises(ValidationError):
        completeness_explain(actor=admin, register=register, keys=["gap:2010:9-9"], text="x")
    with pytest.raises(ValidationError):
        completeness_explain(actor=admin, register=register, keys=["gap:2010:2-2"], text="  ")
    assert not CompletenessNote.objects.exists()


# ---- the gate on the register


def test_a_plain_transition_to_accepted_is_refused_and_points_to_the_acceptance_page(book, admin):
    with pytest.raises(ValidationError) as refused:
        register_transition(actor=admin, register=book, to="accepted")
    assert "trang Nghiệm thu" in refused.value.messages[0]
    book.refresh_from_db()
    assert book.status == "review"


def test_the_register_page_links_to_acceptance_instead_of_an_accept_button(login, book, admin):
    html = login(admin).get(reverse("registers:detail", args=[book.pk])).content.decode()
    assert reverse("acceptance:register", args=[book.pk]) in html
    assert 'value="accepted"' not in html
    assert 'value="keying"' in html  # the other move stays a button


def test_posting_accepted_to_the_register_transition_page_changes_nothing(login, book, admin):
    client = login(admin)
    client.post(reverse("registers:transition", args=[book.pk]), {"to": "accepted"})
    book.refresh_from_db()
    assert book.status == "review"


# ---- starting a round


def test_a_round_cannot_start_while_a_problem_is_unexplained_then_can(users, tree, admin):
    register = build(users, tree, numbers=(1, 2, 4), declared_entries=3)
    with pytest.raises(ValidationError) as refused:
        acceptance_round_start(actor=admin, register=register)
    assert "1 vấn đề" in refused.value.messages[0]
    assert not AcceptanceRound.objects.exists()
    completeness_explain(actor=admin, register=register, keys=["gap:2010:3-3"], text="Bỏ số")
    acceptance_round = acceptance_round_start(actor=admin, register=register)
    assert acceptance_round.checks.count() == 3


def test_a_round_starts_only_under_review_and_one_at_a_time(users, tree, admin):
    register = build(users, tree, numbers=(1, 2))
    register = register_transition(actor=admin, register=register, to="keying")
    with pytest.raises(ValidationError):
        acceptance_round_start(actor=admin, register=register)
    register = register_transition(actor=admin, register=register, to="review")
    acceptance_round_start(actor=admin, register=register)
    with pytest.raises(ValidationError):
        acceptance_round_start(actor=admin, register=register)
    for role in ("reviewer", "operator", "contractor", "other_admin"):
        with pytest.raises(PermissionDenied):
            acceptance_round_start(actor=users[role], register=register)


@pytest.mark.parametrize(
    ("population", "percent", "minimum", "size"),
    [
        (100, 5, 20, 20),  # the minimum rules small registers
        (1000, 5, 20, 50),  # the percentage rules large ones
        (401, 5, 20, 21),  # rounded up: 20.05 → 21
        (12, 5, 20, 12),  # never more than there are
        (0, 5, 20, 0),
        (300, 10, 0, 30),
    ],
)
def test_the_sample_size_is_the_larger_of_the_minimum_and_the_percentage(
    population, percent, minimum, size
):
    assert sample_size(population, percent=percent, minimum=minimum) == size


def test_the_sample_is_random_but_reproducible_from_its_seed():
    ids = list(range(1, 201))
    first = draw_sample(ids, 20, seed=12345)
    assert draw_sample(list(reversed(ids)), 20, seed=12345) == first
    assert len(set(first)) == 20 and set(first) <= set(ids)
    assert draw_sample(ids, 20, seed=54321) != first
    assert first != sorted(first) or first != ids[:20]


def test_a_round_samples_by_the_configured_rule_and_records_it(users, tree, admin, settings):
    settings.ACCEPTANCE_SAMPLE_PERCENT = 20
    settings.ACCEPTANCE_SAMPLE_MIN = 2
    settings.ACCEPTANCE_MAX_ERROR_RATE = 1.5
    register = build(users, tree, numbers=range(1, 16))
    acceptance_round = acceptance_round_start(actor=admin, register=register, seed=99)
    sampled = list(acceptance_round.checks.order_by("position").values_list("record_id", flat=True))
    ids = register.records.values_list("id", flat=True)
    assert sampled == draw_sample(ids, 3, seed=99)  # 20 % of 15
    assert (acceptance_round.percent, acceptance_round.minimum, acceptance_round.threshold) == (
        20,
        2,
        1.5,
    )
    assert acceptance_round.population == 15
    event = AuditEvent.objects.get(action="acceptance.round_start")
    assert event.after["sample"] == sampled and event.after["seed"] == 99


def test_only_records_with_complete_keyed_data_are_sampled(users, tree, admin):
    register = build(users, tree, numbers=(1, 2, 3))
    draft = key(register, users["operator"], 4, nksHoTen="")  # a draft: required name missing
    page(register, admin, draft)
    Register.objects.filter(pk=register.pk).update(declared_entries=4, page_count=4)
    register.refresh_from_db()
    keys = [p.key for p in register_completeness(register).problems]
    assert keys == [f"unverified:{draft.pk}"]
    completeness_explain(actor=admin, register=register, keys=keys, text="Trang rách")
    acceptance_round = acceptance_round_start(actor=admin, register=register)
    assert draft.pk not in acceptance_round.checks.values_list("record_id", flat=True)
    assert acceptance_round.population == 3


# ---- checking: independence


def test_nobody_checks_what_they_keyed_or_verified(users, tree, admin, checker):
    register = build(users, tree, numbers=(1, 2))
    acceptance_round = acceptance_round_start(actor=admin, register=register)
    check = acceptance_round.checks.first()
    with pytest.raises(PermissionDenied) as verified:
        acceptance_check_save(actor=users["reviewer"], check=check, wrong_fields=[])
    assert "xác nhận trường hợp này" in str(verified.value)
    with pytest.raises(PermissionDenied):
        acceptance_check_save(actor=users["operator"], check=check, wrong_fields=[])
    # The administrator who keyed a record may not check it either.
    own = key(register, checker, 3)
    own_check = AcceptanceCheck.objects.create(round=acceptance_round, record=own, position=3)
    with pytest.raises(PermissionDenied) as keyed:
        acceptance_check_save(actor=checker, check=own_check, wrong_fields=[])
    assert "nhập hoặc sửa" in str(keyed.value)
    assert not AcceptanceCheck.objects.filter(checked_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="acceptance.check").exists()


def test_a_contractor_never_checks_its_own_companys_work(users, tree, admin):
    today = timezone.localdate()
    period = {
        "contract_start": today - dt.timedelta(days=1),
        "contract_end": today + dt.timedelta(days=30),
    }
    keyer = UserFactory(username="nt_nhap", office=tree["nhathau"], role="operator", **period)
    qa = UserFactory(username="nt_kiem", office=tree["nhathau"], role="reviewer", **period)
    register = RegisterFactory(custodian=tree["phong"], declared_entries=1, page_count=1)
    for task in (Assignment.Task.KEYING, Assignment.Task.REVIEW):
        Assignment.objects.create(
            register=register, office=tree["nhathau"], task=task, assigned_by=admin
        )
    record = key(register, keyer, 1)
    page(register, admin, record)
    record_verify(actor=users["reviewer"], record=record)
    register = to_review(register, admin)
    acceptance_round = acceptance_round_start(actor=admin, register=register)
    with pytest.raises(PermissionDenied) as refused:
        acceptance_check_save(actor=qa, check=acceptance_round.checks.get(), wrong_fields=[])
    assert "đơn vị thi công" in str(refused.value)


def test_a_contractor_does_not_check_what_its_company_verified(users, tree, admin):
    today = timezone.localdate()
    period = {
        "contract_start": today - dt.timedelta(days=1),
        "contract_end": today + dt.timedelta(days=30),
    }
    qa = UserFactory(username="nt_kiem", office=tree["nhathau"], role="reviewer", **period)
    qa2 = UserFactory(username="nt_kiem2", office=tree["nhathau"], role="reviewer", **period)
    register = RegisterFactory(custodian=tree["phong"], declared_entries=1, page_count=1)
    Assignment.objects.create(
        register=register, office=tree["nhathau"], task="review", assigned_by=admin
    )
    record = key(register, users["operator"], 1)
    page(register, admin, record)
    record_verify(actor=qa, record=record)
    register = to_review(register, admin)
    acceptance_round = acceptance_round_start(actor=admin, register=register)
    with pytest.raises(PermissionDenied) as refused:
        acceptance_check_save(actor=qa2, check=acceptance_round.checks.get(), wrong_fields=[])
    assert "đơn vị thi công của bạn kiểm tra" in str(refused.value)


def test_a_check_names_only_declared_fields_and_is_audited(book, admin, checker):
    acceptance_round = acceptance_round_start(actor=admin, register=book)
    check = acceptance_round.checks.get(position=1)
    with pytest.raises(ValidationError):
        acceptance_check_save(actor=checker, check=check, wrong_fields=["khongCo"])
    acceptance_check_save(
        actor=checker, check=check, wrong_fields=["nksHoTen", "so"], note="Tên sai dấu"
    )
    check.refresh_from_db()
    assert check.wrong_fields == ["so", "nksHoTen"]  # in the declared order
    assert (check.checked_by, check.note) == (checker, "Tên sai dấu")
    event = AuditEvent.objects.get(action="acceptance.check")
    assert event.object_id == str(check.record_id)
    assert event.after["wrong_fields"] == ["so", "nksHoTen"]


# ---- error rates and the decision


def test_error_rates_per_field_and_overall_on_a_known_example():
    checks = [
        ({"so": "01", "nksHoTen": "A", "meHoTen": "B"}, ["nksHoTen"]),
        ({"so": "02", "nksHoTen": "C", "meHoTen": ""}, []),
        ({"so": "03", "nksHoTen": "D"}, ["nksHoTen", "meHoTen"]),  # mother's name left out
        ({"so": "04", "nksHoTen": "E", "meHoTen": "F"}, []),
    ]
    rates = error_rates(checks, ["so", "nksHoTen", "meHoTen", "chaHoTen"])
    assert (rates.records, rates.records_wrong) == (4, 2)
    assert (rates.fields_checked, rates.fields_wrong) == (11, 3)  # 4 + 4 + 3 (2 keyed + 1 left out)
    assert rates.rate == pytest.approx(100 * 3 / 11)
    assert (rates.by_field["nksHoTen"].checked, rates.by_field["nksHoTen"].wrong) == (4, 2)
    assert rates.by_field["nksHoTen"].rate == 50
    assert (rates.by_field["meHoTen"].checked, rates.by_field["meHoTen"].wrong) == (3, 1)
    assert rates.by_field["chaHoTen"].checked == 0 and rates.by_field["chaHoTen"].rate == 0
    assert passes(0.5, 0.5) and not passes(0.51, 0.5)


def test_a_round_within_the_threshold_accepts_the_register(book, admin, checker):
    acceptance_round = acceptance_round_start(actor=admin, register=book)
    with pytest.raises(ValidationError) as pending:
        acceptance_round_decide(actor=admin, acceptance_round=acceptance_round)
    assert "5 trường hợp mẫu chưa kiểm tra" in pending.value.messages[0]
    check_all(acceptance_round, checker)
    decided = acceptance_round_decide(actor=admin, acceptance_round=acceptance_round)
    book.refresh_from_db()
    assert (decided.status, book.status) == ("accepted", "accepted")
    assert decided.decided_by == admin and decided.figures["rate"] == 0
    assert decided.figures["sample"] == 5 and decided.figures["passed"] is True
    move = AuditEvent.objects.filter(action="register.transition").latest("id")
    assert move.after["status"] == "accepted" and "Nghiệm thu đạt" in move.after["reason"]
    event = AuditEvent.objects.get(action="acceptance.decide")
    assert event.after["result"] == "accepted"
    # A decided round takes no more checks and no second decision.
    with pytest.raises(PermissionDenied):
        acceptance_check_save(actor=checker, check=decided.checks.first(), wrong_fields=["so"])
    with pytest.raises(ValidationError):
        acceptance_round_decide(actor=admin, acceptance_round=decided)
    with pytest.raises(ValidationError):
        completeness_explain(actor=admin, register=book, keys=["x"], text="x")


def test_a_round_over_the_threshold_returns_the_register_to_keying(book, admin, checker, settings):
    settings.ACCEPTANCE_MAX_ERROR_RATE = 1.0
    acceptance_round = acceptance_round_start(actor=admin, register=book)
    check_all(acceptance_round, checker, wrong={1: ["nksHoTen"], 2: ["meHoTen", "chaHoTen"]})
    decided = acceptance_round_decide(actor=admin, acceptance_round=acceptance_round)
    book.refresh_from_db()
    assert (decided.status, book.status) == ("returned", "keying")
    fields = sum(len([v for v in r.data.values() if v]) for r in book.records.all())
    assert decided.figures["fields_checked"] == fields
    assert decided.figures["fields_wrong"] == 3
    assert decided.figures["rate"] == pytest.approx(round(300 / fields, 4))
    assert decided.figures["passed"] is False
    move = AuditEvent.objects.filter(action="register.transition").latest("id")
    assert move.after["status"] == "keying"
    assert "không đạt" in move.after["reason"] and "3/" in move.after["reason"]


def test_a_passing_round_is_not_accepted_while_a_new_problem_is_unexplained(book, admin, checker):
    acceptance_round = acceptance_round_start(actor=admin, register=book)
    check_all(acceptance_round, checker)
    stray = page(book, admin)  # scanned after the round started
    with pytest.raises(ValidationError) as refused:
        acceptance_round_decide(actor=admin, acceptance_round=acceptance_round)
    assert "chưa giải trình" in refused.value.messages[0]
    acceptance_round.refresh_from_db()
    book.refresh_from_db()
    assert (acceptance_round.status, book.status) == ("open", "review")
    completeness_explain(
        actor=admin, register=book, keys=[f"page:{stray.pk}", "pages:5:6"], text="Trang bìa"
    )
    assert acceptance_round_decide(actor=admin, acceptance_round=acceptance_round).status == (
        "accepted"
    )


def test_only_the_custodians_administrators_decide_or_cancel(users, book, checker):
    acceptance_round = acceptance_round_start(actor=users["unit_admin"], register=book)
    check_all(acceptance_round, checker)
    for role in ("reviewer", "operator", "other_admin", "contractor"):
        with pytest.raises(PermissionDenied):
            acceptance_round_decide(actor=users[role], acceptance_round=acceptance_round)
        with pytest.raises(PermissionDenied):
            acceptance_round_cancel(
                actor=users[role], acceptance_round=acceptance_round, reason="x"
            )
    # The province administrator manages the district's registers too.
    assert acceptance_round_decide(actor=checker, acceptance_round=acceptance_round).status == (
        "accepted"
    )


def test_a_cancelled_round_keeps_its_reason_and_lets_a_new_one_start(book, admin):
    acceptance_round = acceptance_round_start(actor=admin, register=book)
    with pytest.raises(ValidationError):
        acceptance_round_cancel(actor=admin, acceptance_round=acceptance_round, reason=" ")
    cancelled = acceptance_round_cancel(
        actor=admin, acceptance_round=acceptance_round, reason="Sổ bị trả lại"
    )
    assert cancelled.status == "cancelled"
    assert cancelled.figures["cancel_reason"] == "Sổ bị trả lại"
    book.refresh_from_db()
    assert book.status == "review"
    assert acceptance_round_start(actor=admin, register=book).status == "open"


# ---- the acceptance record


@pytest.fixture
def decided(users, tree, admin, checker, settings):
    """A register with an explained gap, sampled, checked with two wrong fields, returned."""
    settings.ACCEPTANCE_MAX_ERROR_RATE = 0.5
    register = build(users, tree, numbers=(1, 2, 4), declared_entries=3)
    completeness_explain(
        actor=admin, register=register, keys=["gap:2010:3-3"], text="Số 03 bị hủy trong sổ"
    )
    acceptance_round = acceptance_round_start(actor=admin, register=register)
    check_all(acceptance_round, checker, wrong={1: ["nksHoTen"], 3: ["nksHoTen"]})
    return acceptance_round_decide(actor=admin, acceptance_round=acceptance_round)


def test_the_pdf_record_carries_the_register_the_figures_and_the_signature_block(
    login, decided, admin
):
    from pypdf import PdfReader

    response = login(admin).get(reverse("acceptance:round_pdf", args=[decided.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    register = decided.register
    assert f"{register.code}.nghiem-thu.{decided.pk}.pdf" in response["Content-Disposition"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    figures = decided.figures
    for expected in (
        "BIÊN BẢN NGHIỆM THU KẾT QUẢ SỐ HÓA SỔ HỘ TỊCH",
        register.authority_name,
        register.custodian.name,
        "Năm 2010: thiếu số 03.",
        "Số 03 bị hủy trong sổ",
        "Tỷ lệ sai chung",
        f"{figures['fields_wrong']}",
        "KHÔNG ĐẠT",
        "ĐẠI DIỆN ĐƠN VỊ LƯU GIỮ SỔ",
        "ĐẠI DIỆN ĐƠN VỊ THI CÔNG",
        "NGƯỜI KIỂM TRA",
        str(decided.checks.first().checked_by),
        "Người được khai sinh: Họ, chữ đệm, tên",  # the field with its rate
    ):
        assert expected in text, expected
    rate = f"{figures['rate']:.2f}".replace(".", ",") + " %"
    assert rate in text, text
    assert "0,50 %" in text  # the threshold
    event = AuditEvent.objects.get(action="acceptance.download")
    assert event.after["file"].endswith(".pdf") and event.actor == admin


def test_the_excel_record_has_the_same_figures(login, decided, admin):
    from openpyxl import load_workbook

    response = login(admin).get(reverse("acceptance:round_xlsx", args=[decided.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Biên bản", "Giải trình", "Tỷ lệ sai theo trường", "Mẫu"]
    cover = {row[0]: row[1] for row in book["Biên bản"].iter_rows(values_only=True) if row[0]}
    assert cover["Cỡ mẫu"] == "3"
    assert cover["Số trường sai"] == "2"
    assert cover["Mã sổ"] == decided.register.code
    assert cover["5. Kết luận"].startswith("KHÔNG ĐẠT")
    assert "ĐẠI DIỆN ĐƠN VỊ LƯU GIỮ SỔ" in cover
    rates = {
        r[0]: r[1:] for r in book["Tỷ lệ sai theo trường"].iter_rows(min_row=2, values_only=True)
    }
    assert rates["Người được khai sinh: Họ, chữ đệm, tên"][:2] == (3, 2)
    assert rates["Mẹ: Họ, chữ đệm, tên"][:2] == (3, 0)
    problems = list(book["Giải trình"].iter_rows(min_row=2, values_only=True))
    assert problems[0][:2] == ("Năm 2010: thiếu số 03.", "Số 03 bị hủy trong sổ")
    sample = list(book["Mẫu"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in sample] == [1, 2, 3]
    assert AuditEvent.objects.filter(action="acceptance.download").count() == 1


def test_an_open_round_prints_as_a_draft(login, book, admin):
    from pypdf import PdfReader

    acceptance_round = acceptance_round_start(actor=admin, register=book)
    response = login(admin).get(reverse("acceptance:round_pdf", args=[acceptance_round.pk]))
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "DỰ THẢO" in text


# ---- pages


def test_the_acceptance_page_lists_problems_with_an_explanation_box_for_administrators(
    login, users, tree, admin
):
    register = build(users, tree, numbers=(1, 3), declared_entries=2)
    url = reverse("acceptance:register", args=[register.pk])
    html = login(admin).get(url).content.decode()
    assert "Năm 2010: thiếu số 02." in html
    assert 'name="key" value="gap:2010:2-2"' in html and 'name="text"' in html
    response = login(admin).post(
        reverse("acceptance:explain", args=[register.pk]),
        {"key": ["gap:2010:2-2"], "text": "Số 02 bị hủy"},
    )
    assert response.status_code == 302
    assert CompletenessNote.objects.get().text == "Số 02 bị hủy"
    html = login(admin).get(url).content.decode()
    assert "Chọn mẫu ngẫu nhiên" in html
    reviewer_html = login(users["reviewer"]).get(url).content.decode()
    assert "Số 02 bị hủy" in reviewer_html and 'name="text"' not in reviewer_html


def test_a_reviewer_posting_an_explanation_gets_404_and_nothing_is_written(login, users, tree):
    register = build(users, tree, numbers=(1, 3), declared_entries=2)
    response = login(users["reviewer"]).post(
        reverse("acceptance:explain", args=[register.pk]), {"key": "gap:2010:2-2", "text": "x"}
    )
    assert response.status_code == 404
    assert not CompletenessNote.objects.exists()


def test_the_check_screen_shows_the_scan_and_saves_the_marked_fields_then_goes_on(
    login, book, admin, checker
):
    acceptance_round = acceptance_round_start(actor=admin, register=book)
    first, second = acceptance_round.checks.order_by("position")[:2]
    client = login(checker)
    html = client.get(reverse("acceptance:check", args=[first.pk])).content.decode()
    assert 'id="acceptance-viewer"' in html
    scan = first.record.page_links.get().page
    assert reverse("scans:page_image", args=[scan.pk]) in html
    assert 'name="wrong" value="nksHoTen"' in html
    response = client.post(
        reverse("acceptance:check", args=[first.pk]),
        {"wrong": ["nksHoTen"], "note": "sai dấu", "version": first.record.version},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("acceptance:check", args=[second.pk])
    first.refresh_from_db()
    assert (first.wrong_fields, first.note, first.checked_by) == (["nksHoTen"], "sai dấu", checker)
    round_html = client.get(
        reverse("acceptance:round", args=[acceptance_round.pk])
    ).content.decode()
    assert 'data-figure="checked">1<' in round_html


def test_the_check_screen_tells_a_refused_checker_why_and_a_post_writes_nothing(
    login, book, admin, users
):
    acceptance_round = acceptance_round_start(actor=admin, register=book)
    check = acceptance_round.checks.first()
    client = login(users["reviewer"])
    html = client.get(reverse("acceptance:check", args=[check.pk])).content.decode()
    assert "nghiệm thu cần người khác" in html and "Ghi kết quả kiểm tra" not in html
    response = client.post(reverse("acceptance:check", args=[check.pk]), {"wrong": ["so"]})
    assert response.status_code == 403
    check.refresh_from_db()
    assert not check.is_checked


def test_the_decision_from_the_round_page_accepts_the_register(login, book, admin, checker):
    acceptance_round = acceptance_round_start(actor=admin, register=book)
    check_all(acceptance_round, checker)
    client = login(admin)
    html = client.get(reverse("acceptance:round", args=[acceptance_round.pk])).content.decode()
    assert "Kết luận đợt nghiệm thu" in html
    client.post(reverse("acceptance:decide", args=[acceptance_round.pk]))
    book.refresh_from_db()
    assert book.status == "accepted"


def test_the_acceptance_list_shows_registers_under_review(login, book, users, tree):
    other = RegisterFactory(custodian=tree["phong"], volume="09")
    html = login(users["unit_admin"]).get(reverse("acceptance:list")).content.decode()
    assert reverse("acceptance:register", args=[book.pk]) in html
    assert reverse("acceptance:register", args=[other.pk]) not in html  # inventoried
    outsider = login(users["other_province"]).get(reverse("acceptance:list")).content.decode()
    assert reverse("acceptance:register", args=[book.pk]) not in outsider
