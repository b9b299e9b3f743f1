"""The loader against the real `vietnam-provinces` and `vietnamadminunits` packages.

The full load (~14,000 units, ~10,000 links) runs once for this module inside a transaction that
is rolled back after it, so that other tests still start from an empty unit table (and the audit
trail, which refuses deletes, keeps no trace of it).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from hotich.core.models import AuditEvent
from hotich.units.loader import units_load
from hotich.units.models import AdminUnit, UnitSuccession
from hotich.units.queries import unit_search

LEGACY = AdminUnit.Era.LEGACY
NEW = AdminUnit.Era.Y2025


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_units", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def count(era: str, level: str) -> int:
    return AdminUnit.objects.filter(era=era, level=level).count()


@pytest.mark.django_db
def test_load_brings_todays_34_provinces_and_3321_communes(loaded):
    assert count(NEW, AdminUnit.Level.PROVINCE) == 34
    assert count(NEW, AdminUnit.Level.COMMUNE) == 3321
    assert count(NEW, AdminUnit.Level.DISTRICT) == 0
    kinds = set(AdminUnit.objects.filter(era=NEW).values_list("kind", flat=True))
    assert kinds == {"Tỉnh", "Thành phố trung ương", "Xã", "Phường", "Đặc khu"}


@pytest.mark.django_db
def test_load_brings_the_63_provinces_696_districts_and_communes_before_2025(loaded):
    assert count(LEGACY, AdminUnit.Level.PROVINCE) == 63
    assert count(LEGACY, AdminUnit.Level.DISTRICT) == 696
    assert count(LEGACY, AdminUnit.Level.COMMUNE) == 10035


@pytest.mark.django_db
def test_load_writes_full_names_padded_codes_keys_and_validity(loaded):
    ward = AdminUnit.objects.get(era=LEGACY, level="commune", code="00001")
    assert ward.full_name == "Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội"
    assert ward.name == "Phường Phúc Xá" and ward.kind == "Phường"
    assert ward.name_key == "phuong phuc xa"
    assert ward.search_key == "phuong phuc xa quan ba dinh thanh pho ha noi"
    assert (ward.valid_from, ward.valid_to) == (None, dt.date(2025, 6, 30))
    assert ward.parent.parent.kind == "Thành phố"
    hanoi = AdminUnit.objects.get(era=NEW, level="province", code="01")
    assert (hanoi.name, hanoi.kind) == ("Thành phố Hà Nội", "Thành phố trung ương")
    assert (hanoi.valid_from, hanoi.valid_to) == (dt.date(2025, 7, 1), None)
    assert AdminUnit.objects.get(era=NEW, level="province", code="04").name == "Tỉnh Cao Bằng"
    assert hanoi.children.count() == 126


@pytest.mark.django_db
def test_load_links_old_provinces_and_communes_to_the_new_ones(loaded):
    brvt = AdminUnit.objects.get(era=LEGACY, name="Tỉnh Bà Rịa - Vũng Tàu")
    assert [s.new.name for s in brvt.successors.all()] == ["Thành phố Hồ Chí Minh"]
    phuoc_tinh = AdminUnit.objects.get(era=LEGACY, name="Xã Phước Tỉnh")
    assert [s.new.full_name for s in phuoc_tinh.successors.all()] == [
        "Xã Long Hải, Thành phố Hồ Chí Minh"
    ]
    assert UnitSuccession.objects.filter(new__era=NEW, old__era=LEGACY).count() > 10_000
    assert AdminUnit.objects.get(era=NEW, level="province", code="79").predecessors.count() == 3


@pytest.mark.django_db
def test_load_marks_one_default_successor_of_a_divided_commune(loaded):
    divided = AdminUnit.objects.filter(successors__is_default=False).distinct()
    assert divided.count() > 100
    for unit in divided[:50]:
        assert [s.is_default for s in unit.successors.all()].count(True) == 1


@pytest.mark.django_db
def test_load_links_an_island_district_to_its_special_zone(loaded):
    con_dao = AdminUnit.objects.get(era=LEGACY, level="district", name="Huyện Côn Đảo")
    assert [s.new.full_name for s in con_dao.successors.all()] == [
        "Đặc khu Côn Đảo, Thành phố Hồ Chí Minh"
    ]


@pytest.mark.django_db
def test_load_command_prints_progress_and_unmatched_count(loaded):
    assert "Đã đọc 14149 đơn vị" in loaded
    assert "Xã: 13356 đơn vị" in loaded
    assert "khoá trong bảng chuyển đổi không khớp" not in loaded  # every key matched
    assert AuditEvent.objects.filter(action="units.load").count() == 1


@pytest.mark.django_db
def test_load_again_changes_nothing(loaded):
    before = AdminUnit.objects.count(), UnitSuccession.objects.count()
    ids = set(AdminUnit.objects.values_list("pk", flat=True))
    counts = units_load()
    assert (counts["created"], counts["updated"], counts["successions_created"]) == (0, 0, 0)
    assert (AdminUnit.objects.count(), UnitSuccession.objects.count()) == before
    assert set(AdminUnit.objects.values_list("pk", flat=True)) == ids


@pytest.mark.django_db
def test_load_again_restores_a_changed_unit_in_place(loaded):
    ward = AdminUnit.objects.get(era=LEGACY, level="commune", code="00001")
    AdminUnit.objects.filter(pk=ward.pk).update(name="Sai tên", search_key="sai")
    counts = units_load()
    assert counts["updated"] == 1
    ward.refresh_from_db()
    assert (ward.name, ward.search_key[:14]) == ("Phường Phúc Xá", "phuong phuc xa")


@pytest.mark.django_db
def test_search_over_the_whole_list_finds_phuoc_tinh_every_way(loaded):
    target = AdminUnit.objects.get(era=LEGACY, name="Xã Phước Tỉnh")
    for query in ["phuoc tinh", "Phước Tỉnh", "PHUOC TINH", "xa phuoc tinh long dat"]:
        assert unit_search(query)[0] == target, query


@pytest.mark.django_db
def test_search_over_the_whole_list_puts_todays_province_first(loaded):
    found = unit_search("ha noi", limit=3)
    assert [(u.name, u.era) for u in found[:2]] == [
        ("Thành phố Hà Nội", NEW),
        ("Thành phố Hà Nội", LEGACY),
    ]
