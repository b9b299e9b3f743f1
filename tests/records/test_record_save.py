"""Saving keyed records: drafts with errors, warnings to acknowledge, parties, conflicts, audit."""

from __future__ import annotations

import pytest

from hotich.core.models import AuditEvent
from hotich.records.models import MarginNote, Party, Record
from hotich.records.services import RecordConflict, margin_note_add, record_save
from tests.factories import RegisterFactory

BIRTH = {
    "so": "01",
    "quyenSo": "01",
    "ngayDangKy": "10.03.2010",
    "loaiDangKy": "1",
    "noiDangKy": "UBND xã Phước Tỉnh",
    "nksHoTen": "NGUYỄN THỊ HOÀ",
    "nksGioiTinh": "2",
    "nksNgaySinh": "01.03.2010",
    "nksDanToc": "Kinh",
    "nksQuocTich": "Việt Nam",
    "meHoTen": "TRẦN THỊ B",
    "meNgaySinh": "1985",
    "chaHoTen": "NGUYỄN VĂN C",
    "chaNgaySinh": "04.1983",
    "nycHoTen": "NGUYỄN VĂN C",
    "nycQuanHe": "Cha",
}


@pytest.fixture
def operator(users):
    return users["operator"]


def save(register, actor, raw, **kw):
    return record_save(actor=actor, register=register, raw=raw, **kw)


def test_a_complete_birth_record_is_submitted_with_its_people(register, operator):
    result = save(register, operator, BIRTH)
    record = result.record
    assert result.issues == []
    assert record.status == Record.Status.SUBMITTED
    assert record.keyed_by == operator
    assert record.number == "01" and record.registration_year == 2010
    parties = {p.role: p for p in record.parties.all()}
    assert set(parties) == {"registered", "mother", "father", "declarant"}
    child = parties["registered"]
    assert (child.birth_year, child.birth_month, child.birth_day) == (2010, 3, 1)
    assert child.name_key == "nguyen thi hoa"
    father = parties["father"]
    assert (father.birth_year, father.birth_month, father.birth_day) == (1983, 4, None)
    assert father.birth_text == "04.1983"


def test_names_are_stored_nfc_and_found_by_one_key_however_typed(register, operator):
    decomposed = "NGUYE\u0302\u0303N THI\u0323 HOA\u0300"  # NFD, tone on the other vowel
    record = save(register, operator, {**BIRTH, "nksHoTen": decomposed}).record
    assert record.data["nksHoTen"] == "NGUYỄN THỊ HOÀ"
    assert record.parties.get(role="registered").name_key == "nguyen thi hoa"


def test_a_draft_saves_with_errors_and_loses_nothing(register, operator):
    raw = {**BIRTH, "nksHoTen": "", "nksNgaySinh": "31.02.2010", "nksDanToc": "Kinhh"}
    result = save(register, operator, raw)
    record = result.record
    assert record.status == Record.Status.DRAFT
    codes = {i.code for i in result.errors}
    assert {"nksHoTen:required", "nksNgaySinh:invalid", "nksDanToc:invalid"} <= codes
    assert record.data["nksNgaySinh"] == "31.02.2010"
    assert record.data["nksDanToc"] == "Kinhh"
    messages = " ".join(i.message for i in result.errors)
    assert "Bắt buộc nhập" in messages and "danh mục" in messages


def test_code_values_are_accepted_by_label_and_stored_as_the_code(register, operator):
    record = save(register, operator, {**BIRTH, "nksGioiTinh": "nữ", "nksDanToc": "kinh"}).record
    assert record.data["nksGioiTinh"] == "2"
    assert record.data["nksDanToc"] == "Kinh"


def test_late_registration_is_a_warning_that_can_be_acknowledged(register, operator):
    raw = {**BIRTH, "nksNgaySinh": "01.01.2009"}
    first = save(register, operator, raw)
    assert first.record.status == Record.Status.DRAFT
    assert [w.code for w in first.open_warnings] == ["late_registration"]
    second = save(
        register,
        operator,
        raw,
        record=first.record,
        base_version=first.record.version,
        ack=["late_registration"],
    )
    assert second.open_warnings == []
    assert second.record.status == Record.Status.SUBMITTED


def test_birth_after_registration_is_flagged(register, operator):
    result = save(register, operator, {**BIRTH, "nksNgaySinh": "20.03.2010"})
    assert "event_after_registration" in {w.code for w in result.open_warnings}


def test_out_of_sequence_and_duplicate_numbers_are_flagged(register, operator):
    save(register, operator, BIRTH)
    gap = save(register, operator, {**BIRTH, "so": "05"})
    assert "sequence" in {w.code for w in gap.open_warnings}
    other_volume = RegisterFactory(custodian=register.custodian, volume="02")
    dup = save(other_volume, operator, {**BIRTH, "quyenSo": "02"})
    # A repeat within authority + type + year is an error: the record stays a draft.
    assert "duplicate" in {e.code for e in dup.errors}
    assert dup.record.status == Record.Status.DRAFT
    assert register.code in next(e.message for e in dup.errors if e.code == "duplicate")
    next_year = save(register, operator, {**BIRTH, "so": "01", "ngayDangKy": "05.01.2011"})
    assert "duplicate" not in {i.code for i in next_year.issues}


def test_a_repeated_number_explained_by_the_custodian_is_only_a_warning(register, operator, users):
    from hotich.acceptance.models import CompletenessNote

    save(register, operator, BIRTH)
    other = RegisterFactory(custodian=register.custodian, volume="02")
    CompletenessNote.objects.create(
        register=other,
        kind="repeat",
        key="repeat:2010:1",
        text="Sổ ghi trùng",
        by=users["unit_admin"],
    )
    result = save(other, operator, {**BIRTH, "quyenSo": "02"})
    assert "duplicate" in {w.code for w in result.open_warnings}
    assert not result.errors


def test_a_number_outside_the_declared_range_is_flagged(operator, tree):
    book = RegisterFactory(
        custodian=tree["phong"], year_start=2010, year_end=2010, first_number="10", last_number="20"
    )
    low = save(book, operator, {**BIRTH, "so": "05"})
    assert "outside_range" in {w.code for w in low.open_warnings}
    inside = save(book, operator, {**BIRTH, "so": "11", "ngayDangKy": "11.03.2010"})
    assert "outside_range" not in {w.code for w in inside.issues}


def test_a_save_on_an_older_version_is_refused_and_names_the_other_changes(
    register, operator, users
):
    first = save(register, operator, BIRTH).record
    opened_version, opened_data = first.version, dict(first.data)
    save(
        register,
        users["unit_admin"],
        {**BIRTH, "meHoTen": "TRẦN THỊ BÉ"},
        record=first,
        base_version=opened_version,
    )
    with pytest.raises(RecordConflict) as exc:
        save(
            register,
            operator,
            {**BIRTH, "chaHoTen": "NGUYỄN VĂN CƯỜNG"},
            record=first,
            base_version=opened_version,
            base_data=opened_data,
        )
    assert exc.value.theirs == {"meHoTen": ("TRẦN THỊ B", "TRẦN THỊ BÉ")}
    stored = Record.objects.get(pk=first.pk)
    assert stored.data["meHoTen"] == "TRẦN THỊ BÉ"
    assert stored.data["chaHoTen"] == "NGUYỄN VĂN C"


def test_every_save_leaves_an_audit_event_with_the_changed_fields(register, operator):
    record = save(register, operator, BIRTH).record
    save(register, operator, {**BIRTH, "nksHoTen": "NGUYỄN THỊ HẠNH"}, record=record)
    event = AuditEvent.objects.filter(action="record.update").latest("id")
    assert event.before == {"nksHoTen": "NGUYỄN THỊ HOÀ"}
    assert event.after["nksHoTen"] == "NGUYỄN THỊ HẠNH"
    assert event.actor == operator


def test_unreadable_marks_are_kept_and_flag_the_record(register, operator):
    record = save(register, operator, {**BIRTH, "meHoTen": "TRẦN THỊ ?ƯƠNG"}).record
    assert record.has_unreadable
    assert record.data["meHoTen"] == "TRẦN THỊ ?ƯƠNG"


def test_margin_notes_are_attached_dated_and_audited(register, operator):
    record = save(register, operator, BIRTH).record
    note = margin_note_add(
        actor=operator,
        record=record,
        kind=MarginNote.Kind.ID_NUMBER,
        text="Số định danh 001310012345",
        date_text="5.7.2021",
    )
    assert note.date_text == "05.07.2021" and note.date_year == 2021
    assert list(record.margin_notes.all()) == [note]
    assert AuditEvent.objects.filter(action="record.margin_note", object_id=str(record.pk))


def test_parties_are_rewritten_not_duplicated_on_each_save(register, operator):
    record = save(register, operator, BIRTH).record
    save(register, operator, {**BIRTH, "nycHoTen": ""}, record=record)
    assert Party.objects.filter(record=record).count() == 3


def test_every_person_carries_the_registration_year_of_the_record_through_a_change(register, users):
    record = record_save(actor=users["operator"], register=register, raw=BIRTH).record
    assert set(Party.objects.filter(record=record).values_list("registration_year", flat=True)) == {
        2010
    }
    changed = {**BIRTH, "ngayDangKy": "02.01.2011", "nksNgaySinh": "01.12.2010"}
    record_save(actor=users["operator"], register=register, raw=changed, record=record)
    years = set(Party.objects.filter(record=record).values_list("registration_year", flat=True))
    assert years == {2011}


def test_a_number_too_long_to_be_a_registration_number_is_kept_as_text(register, operator):
    from hotich.records.services import number_sort_key

    assert number_sort_key("0042") == 42
    assert number_sort_key("1" * 30) is None and number_sort_key("²") is None
    result = save(register, operator, {**BIRTH, "so": "9" * 30})
    result.record.refresh_from_db()
    assert result.record.number_sort is None and result.record.data["so"].startswith("9" * 20)
