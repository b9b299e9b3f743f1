"""Double keying: the plan, blind copies, the comparison, the all-agree path, what may not happen
(a third operator, the grid, editing a record waiting for arbitration) and the agreement rates.

Arbitration itself is in tests/review/test_arbitration.py.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hotich.core.models import AuditEvent
from hotich.keying.models import Comparison, DoubleKeying, FieldComparison, KeyedCopy
from hotich.keying.queries import (
    BLIND,
    NORMAL,
    WAITING,
    agreement_by_field,
    agreement_by_operator,
    agreement_summary,
    record_double_state,
)
from hotich.keying.services import (
    CopyRefused,
    copy_save,
    double_keying_clear,
    double_keying_set,
)
from hotich.records.models import MarginNote, Record
from hotich.records.services import record_create_placeholder, record_save
from hotich.registers.models import Assignment
from hotich.review.queries import review_queue, review_refusal
from tests.factories import UserFactory
from tests.records.test_record_save import BIRTH

S = Record.Status

#: what operator A keys: distinctive values, to look for on operator B's screen.
A_VALUES = {**BIRTH, "nksHoTen": "PHẠM THỊ KHÁNH LY", "meHoTen": "ĐOÀN THỊ XUYẾN"}


def keyer(tree, users, register, name: str, office: str = "phong"):
    """An operator with a keying assignment on the register."""
    user = UserFactory(username=name, office=tree[office], role="operator")
    Assignment.objects.create(
        register=register, user=user, task=Assignment.Task.KEYING, assigned_by=users["unit_admin"]
    )
    return user


@pytest.fixture
def plan(register, users):
    return double_keying_set(actor=users["unit_admin"], register=register)


@pytest.fixture
def op_a(tree, users, register):
    return keyer(tree, users, register, "nhap_a")


@pytest.fixture
def op_b(tree, users, register):
    return keyer(tree, users, register, "nhap_b")


@pytest.fixture
def op_c(tree, users, register):
    return keyer(tree, users, register, "nhap_c")


@pytest.fixture
def placeholder(register, users):
    return record_create_placeholder(
        actor=users["unit_admin"], register=register, source=Record.Source.FILENAME
    )


def key_copy(register, record, actor, **values: str):
    return copy_save(actor=actor, register=register, record=record, raw={**BIRTH, **values})


# ---- the plan


def test_an_administrator_of_the_custodian_sets_the_plan_and_it_is_audited(register, users):
    plan = double_keying_set(
        actor=users["unit_admin"], register=register, fields=["nksHoTen", "so", "nksNgaySinh"]
    )
    assert plan.active
    assert plan.fields == ["so", "nksHoTen", "nksNgaySinh"]  # the template's order
    event = AuditEvent.objects.get(action="keying.double_set")
    assert (event.actor, event.object_id) == (users["unit_admin"], str(register.pk))
    assert event.after == {"active": True, "fields": ["so", "nksHoTen", "nksNgaySinh"]}
    assert event.before is None


@pytest.mark.parametrize("who", ["operator", "reviewer", "contractor", "other_admin", "auditor"])
def test_nobody_but_an_administrator_of_the_custodian_sets_the_plan(register, users, who):
    with pytest.raises(PermissionDenied):
        double_keying_set(actor=users[who], register=register)
    assert not DoubleKeying.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="keying.double").exists()


def test_a_plan_naming_an_unknown_field_is_refused(register, users):
    with pytest.raises(ValidationError):
        double_keying_set(actor=users["unit_admin"], register=register, fields=["khongCo"])
    assert not DoubleKeying.objects.exists()


def test_the_plan_page_sets_and_clears_the_plan_for_administrators_only(login, register, users):
    url = reverse("keying:double_plan", args=[register.pk])
    operator = login(users["operator"])
    assert operator.get(url).status_code == 200  # an operator reads which plan applies
    assert operator.post(url, {"scope": "all"}).status_code == 403
    assert not DoubleKeying.objects.exists()
    admin = login(users["unit_admin"])
    page = admin.get(url)
    assert "data-double-form" in page.content.decode()
    response = admin.post(url, {"scope": "fields", "fields": ["nksHoTen", "meHoTen"]})
    assert response.status_code == 302
    plan = DoubleKeying.objects.get(register=register)
    assert (plan.active, plan.fields) == (True, ["nksHoTen", "meHoTen"])
    admin.post(url, {"action": "clear"})
    plan.refresh_from_db()
    assert not plan.active
    assert AuditEvent.objects.filter(action="keying.double_clear").count() == 1


def test_records_keyed_before_the_plan_stay_single_keyed(register, users, op_a):
    keyed = record_save(actor=op_a, register=register, raw=BIRTH).record
    double_keying_set(actor=users["unit_admin"], register=register)
    assert record_double_state(keyed) == NORMAL


def test_clearing_the_plan_lets_records_already_started_finish_double_keying(
    register, users, plan, placeholder, op_a, op_b
):
    key_copy(register, placeholder, op_a)
    fresh = record_create_placeholder(actor=op_a, register=register, source=Record.Source.MANUAL)
    double_keying_clear(actor=users["unit_admin"], register=register)
    assert record_double_state(placeholder) == BLIND
    assert record_double_state(fresh) == NORMAL
    key_copy(register, placeholder, op_b)
    placeholder.refresh_from_db()
    assert placeholder.status == S.SUBMITTED


# ---- blind keying


def test_operator_b_never_sees_operator_a_s_values(login, register, plan, op_a, op_b):
    a = login(op_a)
    response = a.post(reverse("keying:new", args=[register.pk]), {**A_VALUES, "action": "save"})
    assert response.status_code == 302
    record = Record.objects.get(register=register)
    assert (record.status, record.data) == (S.TO_KEY, {})  # nothing on the record yet
    copy = KeyedCopy.objects.get(record=record)
    assert (copy.by, copy.status, copy.data["nksHoTen"]) == (op_a, "submitted", "PHẠM THỊ KHÁNH LY")
    assert "KHÁNH LY" in a.get(reverse("keying:record", args=[record.pk])).content.decode()

    b = login(op_b)
    # B is sent to the record A created: the next one B has to key.
    assert b.get(reverse("keying:register", args=[register.pk])).url == reverse(
        "keying:record", args=[record.pk]
    )
    html = b.get(reverse("keying:record", args=[record.pk])).content.decode()
    assert 'name="nksHoTen"' in html and "data-double-copy" in html
    assert "KHÁNH LY" not in html and "XUYẾN" not in html
    assert "Ghi chú bên lề" not in html  # notes are on the record both would see
    # A draft of B's own (an impossible date keeps it a draft) shows B's values, none of A's.
    b.post(
        reverse("keying:record", args=[record.pk]),
        {
            **A_VALUES,
            "nksHoTen": "PHẠM THỊ KHÁNH LI",
            "meHoTen": "",
            "nksNgaySinh": "31.02.2010",
            "action": "save",
        },
    )
    assert KeyedCopy.objects.get(by=op_b).status == KeyedCopy.Status.DRAFT
    html = b.get(reverse("keying:record", args=[record.pk])).content.decode()
    assert "KHÁNH LI" in html and "KHÁNH LY" not in html and "XUYẾN" not in html


def test_a_copy_with_errors_is_a_draft_and_compares_nothing(
    register, plan, placeholder, op_a, op_b
):
    key_copy(register, placeholder, op_a)
    result = key_copy(register, placeholder, op_b, nksHoTen="")
    assert result.copy.status == KeyedCopy.Status.DRAFT
    assert result.comparison is None
    assert not Comparison.objects.exists()
    assert record_double_state(placeholder) == BLIND


def test_a_third_operator_is_refused(login, register, plan, placeholder, op_a, op_b, op_c):
    key_copy(register, placeholder, op_a)
    key_copy(register, placeholder, op_b, nksHoTen="")  # a draft still takes the place
    with pytest.raises(CopyRefused, match="hai người nhập"):
        key_copy(register, placeholder, op_c)
    page = login(op_c).get(reverse("keying:record", args=[placeholder.pk]))
    assert page.status_code == 403
    html = page.content.decode()
    assert "đã có hai người nhập" in html
    assert "NGUYỄN THỊ HOÀ" not in html
    # ... and "next to key" passes over it.
    assert login(op_c).get(reverse("keying:register", args=[register.pk])).url == reverse(
        "keying:new", args=[register.pk]
    )
    assert KeyedCopy.objects.filter(record=placeholder).count() == 2


def test_the_grid_is_refused_in_a_double_keyed_register(login, register, plan, op_a):
    client = login(op_a)
    page = client.get(reverse("keying:grid", args=[register.pk]))
    assert "không nhập dạng bảng" in page.content.decode()
    response = client.post(
        reverse("keying:grid_save", args=[register.pk]),
        data={"values": BIRTH},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert not Record.objects.exists()


# ---- the comparison


def test_two_copies_that_differ_are_compared_field_by_field_and_wait(
    register, plan, placeholder, op_a, op_b
):
    key_copy(register, placeholder, op_a, nksHoTen="LÊ VĂN AN", chaNgaySinh="1983")
    result = key_copy(register, placeholder, op_b, nksHoTen="LÊ VĂN ÂN", chaNgaySinh="")
    comparison = result.comparison
    assert comparison is not None
    assert comparison.state == Comparison.State.ARBITRATION
    assert (comparison.copy_a.by, comparison.copy_b.by) == (op_a, op_b)
    rows = {r.field: (r.value_a, r.value_b, r.agreed) for r in comparison.results.all()}
    assert rows["nksHoTen"] == ("LÊ VĂN AN", "LÊ VĂN ÂN", False)
    assert rows["chaNgaySinh"] == ("1983", "", False)
    assert rows["meHoTen"] == ("TRẦN THỊ B", "TRẦN THỊ B", True)
    # Fields both left empty are not compared.
    assert "nksSoDinhDanh" not in rows
    assert len(rows) == len([k for k in BIRTH if k != "chaNgaySinh"]) + 1
    placeholder.refresh_from_db()
    assert (placeholder.status, placeholder.data) == (S.TO_KEY, {})
    assert record_double_state(placeholder) == WAITING
    event = AuditEvent.objects.get(action="keying.compare")
    assert event.after["differing"] == ["nksHoTen", "chaNgaySinh"]
    assert event.after["operators"] == [op_a.pk, op_b.pk]


def test_copies_are_frozen_once_compared(login, register, plan, placeholder, op_a, op_b):
    key_copy(register, placeholder, op_a, nksHoTen="LÊ VĂN AN")
    key_copy(register, placeholder, op_b, nksHoTen="LÊ VĂN ÂN")
    with pytest.raises(CopyRefused):
        key_copy(register, placeholder, op_a, nksHoTen="LÊ VĂN ÂN")
    client = login(op_a)
    url = reverse("keying:record", args=[placeholder.pk])
    page = client.get(url)
    assert "chờ đối chiếu" in page.content.decode()
    assert "LÊ VĂN ÂN" not in page.content.decode()
    assert client.post(url, {**BIRTH, "action": "save"}).status_code == 409
    assert KeyedCopy.objects.get(by=op_a).data["nksHoTen"] == "LÊ VĂN AN"
    # Margin notes are on the record, not a copy: they wait for the arbitration too.
    client.post(
        reverse("keying:margin_note", args=[placeholder.pk]), {"kind": "other", "text": "x"}
    )
    assert not MarginNote.objects.exists()


def test_when_all_fields_agree_the_record_is_written_and_goes_to_review(
    register, plan, placeholder, op_a, op_b, users
):
    key_copy(register, placeholder, op_a, **A_VALUES)
    result = key_copy(register, placeholder, op_b, **A_VALUES)
    assert result.comparison.state == Comparison.State.AGREED
    assert not result.comparison.results.filter(agreed=False).exists()
    placeholder.refresh_from_db()
    assert placeholder.status == S.SUBMITTED
    assert placeholder.data["nksHoTen"] == "PHẠM THỊ KHÁNH LY"
    assert placeholder.parties.get(role="registered").full_name == "PHẠM THỊ KHÁNH LY"
    assert record_double_state(placeholder) == NORMAL
    assert AuditEvent.objects.filter(action="record.update", object_id=str(placeholder.pk))
    # Independent review: a reviewer may; neither operator, though only B saved the record.
    assert placeholder in review_queue(users["reviewer"])
    for keyer_ in (op_a, op_b):
        keyer_.role = "reviewer"
        assert placeholder not in review_queue(keyer_)
        assert review_refusal(keyer_, placeholder)


def test_a_field_plan_compares_only_its_fields_and_takes_the_rest_from_copy_a(
    register, users, placeholder, op_a, op_b
):
    double_keying_set(actor=users["unit_admin"], register=register, fields=["nksHoTen"])
    key_copy(register, placeholder, op_a, noiDangKy="UBND xã A")
    result = key_copy(register, placeholder, op_b, noiDangKy="UBND xã B")
    assert result.comparison.state == Comparison.State.AGREED
    assert list(result.comparison.results.values_list("field", flat=True)) == ["nksHoTen"]
    placeholder.refresh_from_db()
    assert placeholder.data["noiDangKy"] == "UBND xã A"


def test_save_and_next_takes_each_operator_through_the_records_in_order(
    login, register, plan, users, op_a, op_b
):
    first, second = (
        record_create_placeholder(actor=users["unit_admin"], register=register, source="filename")
        for _ in range(2)
    )
    client = login(op_a)
    response = client.post(reverse("keying:record", args=[first.pk]), {**BIRTH, "action": "next"})
    assert response.url == reverse("keying:record", args=[second.pk])
    client.post(reverse("keying:record", args=[second.pk]), {**BIRTH, "so": "02", "action": "next"})
    # Nothing left for A: a new record, blank but for what A's own last copy carries over.
    page = client.get(reverse("keying:new", args=[register.pk]))
    html = page.content.decode()
    assert "data-double-copy" in html
    assert 'name="so" data-field="so" value="03"' in html
    client = login(op_b)
    assert client.get(reverse("keying:register", args=[register.pk])).url == reverse(
        "keying:record", args=[first.pk]
    )
    response = client.post(reverse("keying:record", args=[first.pk]), {**BIRTH, "action": "next"})
    first.refresh_from_db()
    assert first.status == S.SUBMITTED
    assert response.url == reverse("keying:record", args=[second.pk])


# ---- agreement rates


@pytest.fixture
def known_example(register, users, plan, op_a, op_b, op_c):
    """Three records: A and B agree on all 16 fields of one; A and B differ on one field of the
    second (16 compared); A and C differ on two fields of the third (16 compared)."""
    records = [
        record_create_placeholder(actor=users["unit_admin"], register=register, source="filename")
        for _ in range(3)
    ]
    key_copy(register, records[0], op_a)
    key_copy(register, records[0], op_b)
    key_copy(register, records[1], op_a, so="02")
    key_copy(register, records[1], op_b, so="02", nksHoTen="NGUYỄN THỊ HÒA B")
    key_copy(register, records[2], op_a, so="02")
    key_copy(register, records[2], op_c, so="02", nksHoTen="X", meHoTen="Y")
    return records


def test_agreement_rates_per_field_and_per_operator_on_a_known_example(known_example, users):
    admin = users["unit_admin"]
    summary = agreement_summary(user=admin)
    assert (summary["compared"], summary["agreed"], summary["waiting"]) == (3, 1, 2)
    by_field = {r["key"]: r for r in agreement_by_field(user=admin)}
    assert (by_field["nksHoTen"]["compared"], by_field["nksHoTen"]["agreed"]) == (3, 1)
    assert by_field["nksHoTen"]["rate"] == 33.3
    assert (by_field["meHoTen"]["compared"], by_field["meHoTen"]["agreed"]) == (3, 2)
    assert by_field["so"]["rate"] == 100.0
    assert agreement_by_field(user=admin)[0]["key"] == "nksHoTen"  # the weakest first
    by_op = {r["user"].username: r for r in agreement_by_operator(user=admin)}
    fields = len(BIRTH)  # 16 keyed values, all compared
    assert (by_op["nhap_a"]["compared"], by_op["nhap_a"]["agreed"]) == (3 * fields, 3 * fields - 3)
    assert (by_op["nhap_b"]["compared"], by_op["nhap_b"]["agreed"]) == (2 * fields, 2 * fields - 1)
    assert (by_op["nhap_c"]["compared"], by_op["nhap_c"]["agreed"]) == (fields, fields - 2)
    assert by_op["nhap_c"]["rate"] == 87.5
    assert all(r["overruled"] == 0 for r in by_op.values())  # nothing arbitrated yet


def test_agreement_rates_are_scoped_to_what_the_user_sees(known_example, users, register):
    assert agreement_by_field(user=users["other_admin"]) == []
    assert agreement_by_operator(user=users["other_province"]) == []
    assert agreement_summary(user=users["other_admin"])["compared"] == 0
    assert agreement_summary(user=users["unit_admin"], register=register)["compared"] == 3


def test_the_agreement_page_shows_the_rates(login, known_example, users):
    html = login(users["unit_admin"]).get(reverse("keying:agreement")).content.decode()
    assert 'data-field="nksHoTen"' in html and ("33,3 %" in html or "33.3 %" in html)
    assert 'data-operator="nhap_c"' in html and ("87,5 %" in html or "87.5 %" in html)
    assert login(users["operator"]).get(reverse("keying:agreement")).status_code == 403


def test_every_field_comparison_belongs_to_a_comparison(known_example):
    assert FieldComparison.objects.filter(comparison__isnull=True).count() == 0
