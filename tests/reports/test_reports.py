"""Supervision: the figures on a small known dataset, who sees which of them, the Excel export,
the charts, the navigation entry, and a query count that does not grow with the data.

The dataset (office `phong` = Phòng Tư pháp A1 unless said otherwise):
- register A (KS, 2010, accepted; assigned to the contractor company): the operator keyed two
  records three days ago and one yesterday, and one 60 days ago; the contractor's account keyed
  one yesterday. The reviewer verified one of the operator's records today.
- register B (KS, filed in phase 2, keying): the operator keyed one yesterday; the reviewer
  returned it today.
- register C (KH, 2012, inventoried): one record not keyed yet.
- register X (KS, Phòng Tư pháp A2): keyed three days ago by an operator of A2.
- register Y (KS, province B): keyed yesterday by an operator of province B.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hotich.core.models import AuditEvent
from hotich.records.models import Record
from hotich.records.services import record_create_placeholder, record_save
from hotich.registers.models import Assignment, Register
from hotich.reports.figures import Filters
from hotich.reports.queries import report_build, report_scope
from hotich.review.services import record_return, record_verify
from tests.factories import RegisterFactory, UserFactory
from tests.records.test_record_save import BIRTH

TODAY = timezone.localdate()
DAY1 = TODAY - dt.timedelta(days=3)
DAY2 = TODAY - dt.timedelta(days=1)
OLD = TODAY - dt.timedelta(days=60)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def key(register: Register, actor, number: int, day: dt.date) -> Record:
    record = record_save(
        actor=actor, register=register, raw={**BIRTH, "so": f"{number:02d}"}
    ).record
    assert record.status == Record.Status.SUBMITTED
    Record.objects.filter(pk=record.pk).update(keyed_at=at(day))
    record.refresh_from_db()
    return record


@pytest.fixture
def data(users, tree):
    operator, contractor, reviewer = users["operator"], users["contractor"], users["reviewer"]
    # Each register of another registering authority: numbers restart per authority and year.
    a = RegisterFactory(custodian=tree["phong"], authority_name="UBND xã A")
    b = RegisterFactory(custodian=tree["phong"], authority_name="UBND xã B", phase=2)
    c = RegisterFactory(custodian=tree["phong"], register_type="KH", year_start=2012)
    x = RegisterFactory(custodian=tree["phong2"], authority_name="UBND xã X")
    y = RegisterFactory(custodian=tree["phong_b"], authority_name="UBND xã Y")
    Assignment.objects.create(
        register=a, office=tree["nhathau"], task="keying", assigned_by=users["unit_admin"]
    )
    a1 = key(a, operator, 1, DAY1)
    key(a, operator, 2, DAY1)
    key(a, operator, 3, DAY2)
    key(a, contractor, 4, DAY2)
    key(a, operator, 5, OLD)
    b1 = key(b, operator, 1, DAY2)
    record_create_placeholder(actor=users["unit_admin"], register=c, source="manual", number="01")
    other = UserFactory(username="phong2_nhap", office=tree["phong2"], role="operator")
    key(x, other, 1, DAY1)
    key(y, users["other_operator"], 1, DAY2)
    record_verify(actor=reviewer, record=a1, version=a1.version)
    record_return(actor=reviewer, record=b1, comments=[("so", "Sai số")])
    Register.objects.filter(pk=a.pk).update(status="accepted")
    Register.objects.filter(pk=b.pk).update(status="keying")
    return {"a": a, "b": b, "c": c, "x": x, "y": y, "other": other}


def person(report, user):
    found = [p for p in report.people if p.user == user]
    return found[0] if found else None


def dashboard(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("reports:dashboard"), params)
    assert response.status_code == 200
    return response


# ---- figures


def test_the_unit_admin_sees_each_operators_keying_returns_error_rate_and_accepted_records(
    client, users, data
):
    report = dashboard(client, users["unit_admin"]).context["report"]
    op = person(report, users["operator"])
    assert op.per_day == {DAY1: 2, DAY2: 2}  # the record keyed 60 days ago is outside the range
    assert (op.keyed, op.days_worked, op.per_day_max, op.per_day_average) == (4, 2, 2, 2.0)
    assert (op.decided, op.returned, op.error_rate) == (2, 1, 50.0)
    assert op.accepted == 3  # keyed in the range, in register A which is accepted
    staff = person(report, users["contractor"])
    assert (staff.keyed, staff.accepted, staff.returned, staff.decided) == (1, 1, 0, 0)
    assert staff.error_rate is None
    assert person(report, data["other"]) is None  # Phòng Tư pháp A2 is not this office's
    assert dict(report.daily) == {DAY1: 2, DAY2: 3}
    [company] = report.companies
    assert (company.office.name, company.staff, company.keyed, company.accepted) == (
        "Công ty số hóa A", 1, 1, 1,
    )  # fmt: skip


def test_progress_counts_registers_and_records_at_each_status_by_office_type_and_phase(
    client, users, data, tree
):
    report = dashboard(client, users["unit_admin"]).context["report"]
    [office] = report.by_office
    assert office.label == tree["phong"].name
    assert dict(+office.registers) == {"accepted": 1, "keying": 1, "inventoried": 1}
    assert dict(+office.records) == {"verified": 1, "submitted": 4, "returned": 1, "to_key": 1}
    assert (office.keyed, office.decided, office.returned, office.accepted) == (5, 2, 1, 4)
    by_type = {r.key: (r.register_total, r.record_total) for r in report.by_type}
    assert by_type == {"KS": (2, 6), "KH": (1, 1)}
    by_phase = {r.key: r.register_total for r in report.by_phase}
    assert by_phase == {1: 2, 2: 1}  # A and C are in phase 1, B in phase 2
    assert report.total.register_total == 3 and report.total.record_total == 7
    # Register A declares 100 entries, B 100, C 100: 5 keyed of 300.
    assert report.total.done == 5 and report.total.percent == 2


def test_the_date_range_limits_keying_and_decisions_but_not_the_status_now(client, users, data):
    report = dashboard(
        client,
        users["unit_admin"],
        date_from=OLD.strftime("%d/%m/%Y"),
        date_to=OLD.strftime("%d/%m/%Y"),
    ).context["report"]
    op = person(report, users["operator"])
    assert (op.keyed, op.accepted, op.decided, op.returned) == (1, 1, 0, 0)
    assert person(report, users["contractor"]) is None
    assert report.total.record_total == 7  # status counts are the state now
    recent = dashboard(
        client, users["unit_admin"], date_from=DAY2.strftime("%d/%m/%Y"), date_to=TODAY.isoformat()
    ).context["report"]
    op = person(recent, users["operator"])
    assert (op.keyed, op.per_day, op.decided, op.returned) == (2, {DAY2: 2}, 2, 1)
    months = {r.key: r.keyed for r in recent.by_month}
    assert sum(months.values()) == 3


def test_filters_by_type_and_phase_narrow_every_table(client, users, data):
    report = dashboard(client, users["unit_admin"], phase=2).context["report"]
    assert report.total.register_total == 1
    op = person(report, users["operator"])
    assert (op.keyed, op.returned, op.accepted) == (1, 1, 0)
    assert person(report, users["contractor"]) is None
    report = dashboard(client, users["unit_admin"], type="KH").context["report"]
    assert report.total.register_total == 1 and report.people == []


def test_an_office_filter_outside_the_users_scope_is_refused_not_applied(client, users, data, tree):
    response = dashboard(client, users["unit_admin"], office=tree["phong_b"].pk)
    assert "office" in response.context["form"].errors
    assert response.context["report"].filters.office is None
    assert "Phòng Tư pháp B1" not in response.content.decode()


def test_a_wrong_date_range_is_shown_and_the_default_range_used(client, users, data):
    response = dashboard(client, users["unit_admin"], date_from="20/11/2026", date_to="01/11/2026")
    assert response.context["form"].non_field_errors()
    filters = response.context["report"].filters
    assert (filters.date_to - filters.date_from).days == 29


# ---- scope


def test_the_province_admin_sees_every_office_of_the_province_and_nothing_of_another(
    client, users, data, tree
):
    report = dashboard(client, users["province_admin"]).context["report"]
    assert {r.key for r in report.by_office} == {tree["phong"].pk, tree["phong2"].pk}
    assert person(report, data["other"]).keyed == 1
    assert person(report, users["other_operator"]) is None


def test_a_unit_admin_of_another_office_sees_none_of_it(client, users, data):
    report = dashboard(client, users["other_admin"]).context["report"]
    assert report.total.register_total == 1  # register X only
    assert [p.user for p in report.people] == [data["other"]]
    report = dashboard(client, users["other_province"]).context["report"]
    assert [p.user for p in report.people] == [users["other_operator"]]
    assert report.total.register_total == 1


def test_a_contractor_sees_only_its_company_staff_and_the_registers_assigned_to_it(
    client, users, data, tree
):
    response = dashboard(client, users["contractor"])
    report = response.context["report"]
    assert report.scope.kind == "contractor"
    assert [p.user for p in report.people] == [users["contractor"]]
    assert report.total.register_total == 1  # register A, assigned to the company
    assert [r.key for r in report.by_office] == [tree["phong"].pk]
    assert [o.pk for o in response.context["form"].fields["office"].queryset] == [tree["phong"].pk]


def test_an_operator_sees_only_their_own_figures(client, users, data):
    response = dashboard(client, users["operator"])
    report = response.context["report"]
    assert report.scope.kind == "self" and not report.show_progress
    assert [p.user for p in report.people] == [users["operator"]]
    assert report.companies == []
    assert "office" not in response.context["form"].fields
    assert 'id="tien-do"' not in response.content.decode()


def test_a_look_up_officer_has_no_reports(client, users, data):
    client.force_login(users["lookup"])
    assert client.get(reverse("reports:dashboard")).status_code == 403
    assert client.get(reverse("reports:dashboard_export")).status_code == 403
    assert report_scope(users["lookup"]) is None


def test_the_provincial_report_is_for_province_admins_and_auditors_only(client, users, data):
    for name, status in [
        ("province_admin", 200),
        ("auditor", 200),
        ("unit_admin", 403),
        ("operator", 403),
        ("contractor", 403),
    ]:
        client.force_login(users[name])
        assert client.get(reverse("reports:province")).status_code == status, name
        assert client.get(reverse("reports:province_export")).status_code == status, name


def test_the_provincial_report_lists_every_office_of_the_province_with_totals(
    client, users, data, tree
):
    client.force_login(users["auditor"])
    response = client.get(reverse("reports:province"))
    report = response.context["report"]
    rows = {r.label: r for r in report.by_office}
    assert list(rows) == ["Sở Tư pháp A", "Phòng Tư pháp A1", "UBND xã A1a", "Phòng Tư pháp A2"]
    assert rows["UBND xã A1a"].register_total == 0 and rows["UBND xã A1a"].depth == 2
    assert rows["Phòng Tư pháp A2"].keyed == 1
    assert report.total.register_total == 4 and report.total.keyed == 6
    html = response.content.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
    assert "Kính gửi: Lãnh đạo Sở Tư pháp A" in html
    assert "Phòng Tư pháp B1" not in html


# ---- pages, charts, export


def test_the_dashboard_draws_accessible_svg_charts_and_links_the_export(client, users, data):
    html = dashboard(client, users["unit_admin"]).content.decode()
    assert html.count('<svg class="chart" role="img"') == 5
    assert "<title" in html and "Số trường hợp nhập mỗi ngày" in html
    assert 'class="spark"' in html
    assert f"<title>{DAY1:%d/%m/%Y}: 2</title>" in html  # the operator's bar for that day
    assert reverse("reports:dashboard_export") in html
    assert "<script" not in html.split("<main", 1)[1]  # no script of its own


def test_the_excel_export_has_the_filters_on_top_and_the_same_figures(client, users, data):
    client.force_login(users["unit_admin"])
    params = {"date_from": DAY1.strftime("%d/%m/%Y"), "date_to": TODAY.strftime("%d/%m/%Y")}
    response = client.get(reverse("reports:dashboard_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"bao-cao-so-hoa-{DAY1:%Y%m%d}-{TODAY:%Y%m%d}.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Theo đơn vị", "Theo loại sổ", "Theo giai đoạn", "Theo tháng", "Người nhập liệu",
        "Nhà thầu", "Theo ngày",
    ]  # fmt: skip
    sheet = book["Người nhập liệu"]
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    top = {row[0]: row[1] for row in cells[:12]}
    assert cells[0][0] == "PHÒNG TƯ PHÁP A1"
    assert top["Từ ngày"] == DAY1.strftime("%d/%m/%Y")
    assert top["Đến ngày"] == TODAY.strftime("%d/%m/%Y")
    assert top["Đơn vị"] == top["Loại sổ"] == "Tất cả"
    header = next(i for i, row in enumerate(cells) if row[0] == "Người nhập liệu")
    rows = {row[1]: row for row in cells[header + 1 :] if row[1]}
    op = rows["nhaplieu"]
    assert op[3:] == [4, 2, 2, 2, 2, 1, 0.5, 3]  # keyed … returned, error rate, accepted
    assert rows["nhathau"][3] == 1
    assert cells[-1][0] == "Tổng cộng" and cells[-1][3] == 5
    days = list(book["Theo ngày"].iter_rows(values_only=True))
    assert sum(1 for row in days if row[1] == "nhaplieu") == 2
    event = AuditEvent.objects.get(action="report.export")
    assert (event.actor, event.object_id) == (users["unit_admin"], "dashboard")
    assert event.after["date_from"] == DAY1.isoformat()


def test_the_provincial_export_carries_the_heading_and_every_office(client, users, data):
    client.force_login(users["province_admin"])
    response = client.get(reverse("reports:province_export"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book["Theo đơn vị"].iter_rows(values_only=True))
    assert rows[0][0] == "SỞ TƯ PHÁP A"
    assert rows[2][0] == "BÁO CÁO"
    labels = [r[0] for r in rows]
    assert {"Sở Tư pháp A", "UBND xã A1a", "Phòng Tư pháp A2"} <= set(labels)
    assert labels[-1] == "Tổng cộng"
    assert AuditEvent.objects.filter(action="report.export", object_id="province").count() == 1


def test_the_navigation_offers_reports_to_everyone_but_look_up_officers(client, users):
    client.force_login(users["unit_admin"])
    assert f'href="{reverse("reports:dashboard")}"' in client.get(reverse("home")).content.decode()
    client.force_login(users["lookup"])
    assert (
        f'href="{reverse("reports:dashboard")}"' not in client.get(reverse("home")).content.decode()
    )


# ---- efficiency


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_number_of_queries_does_not_grow_with_the_data(client, users, data, tree):
    client.force_login(users["province_admin"])
    url = reverse("reports:dashboard")
    province = reverse("reports:province")
    before, before_province = _count(client, url), _count(client, province)
    assert before <= 20
    # Ten times the work: more registers, records, operators, days and decisions.
    for i in range(3):
        register = RegisterFactory(custodian=tree["xa"], authority_name=f"UBND xã {i}", phase=1 + i)
        keyer = UserFactory(office=tree["xa"], role="operator")
        for n in range(1, 6):
            record = key(register, keyer, n, TODAY - dt.timedelta(days=n))
            if n % 2:
                record_return(actor=users["unit_admin"], record=record, comments=[("", "x")])
    assert _count(client, url) == before
    assert _count(client, province) == before_province


def test_report_build_runs_a_fixed_number_of_queries(users, data, django_assert_max_num_queries):
    scope = report_scope(users["province_admin"])
    filters = Filters(date_from=OLD, date_to=TODAY)
    with django_assert_max_num_queries(12):
        report_build(scope=scope, filters=filters, every_office=True)


def test_chart_labels_are_escaped():
    from hotich.reports.charts import stacked_bars

    svg = stacked_bars(
        title="<b>t</b>", desc="d", rows=[("<script>x</script>", [1, 2])], series=[("a", "#000")]
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_office_charts_keep_the_offices_with_the_most_records():
    from hotich.reports.figures import Row
    from hotich.reports.views import CHART_MAX_ROWS, _largest

    rows = [Row(key=i, label=str(i)) for i in range(CHART_MAX_ROWS + 5)]
    for i, row in enumerate(rows):
        row.records["submitted"] = i
    kept = _largest(rows)
    assert len(kept) == CHART_MAX_ROWS and kept[0].key == 5 and kept[-1].key == rows[-1].key
