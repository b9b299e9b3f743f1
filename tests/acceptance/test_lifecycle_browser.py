"""The register's lifecycle in headless Chromium against the live server (issue 15).

An administrator concludes an acceptance round; an operator's edit of an accepted record is
refused with the reason; the administrator reopens the register with a reason; the operator's
edit then goes in, and the package built while it was accepted shows "Đã lỗi thời". And a
failed round: the operator finds the returned records with the checker's comments in "my
work" and beside the fields, and fixes them.
"""

from __future__ import annotations

import pytest

from hotich.acceptance.services import acceptance_round_start
from hotich.records.models import Record
from hotich.registers.models import Assignment, Register
from hotich.review.models import ReviewComment
from hotich.transfer.models import PackageBuild
from tests.acceptance.test_acceptance import build, check_all
from tests.keying.test_keying_browser import new_tab, sign_in

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def _assigned(book, users):
    Assignment.objects.create(
        register=book, user=users["operator"], task="keying", assigned_by=users["unit_admin"]
    )
    return book


def _edit_birthplace(tab, live, record, text):
    tab.goto(f"{live}/nhap-lieu/truong-hop/{record.pk}/")
    field = tab.locator('[data-field="nksNoiSinh"]')
    field.fill(text)
    field.focus()
    with tab.expect_navigation():
        tab.keyboard.press("Control+Enter")


def test_accept_refuse_reopen_then_edit_and_the_old_package_is_out_of_date(
    browser, live, users, tree
):
    admin, operator = users["unit_admin"], users["operator"]
    book = _assigned(build(users, tree), users)
    acceptance_round = acceptance_round_start(actor=admin, register=book)
    check_all(acceptance_round, users["province_admin"])
    admin_ctx, admin_tab, admin_errors = new_tab(browser)
    op_ctx, op_tab, op_errors = new_tab(browser)

    # The administrator concludes the round: accepted.
    sign_in(admin_tab, live, admin, f"/nghiem-thu/dot/{acceptance_round.pk}/")
    with admin_tab.expect_navigation():
        admin_tab.get_by_role("button", name="Kết luận đợt nghiệm thu").click()
    book.refresh_from_db()
    assert book.status == "accepted"
    PackageBuild.objects.create(register=book, built_by=admin, status="released")

    # The operator's edit of an accepted record is refused, with why and who can reopen.
    record = Record.objects.filter(register=book).order_by("pk").first()
    before = (record.version, dict(record.data))
    sign_in(op_tab, live, operator, f"/nhap-lieu/truong-hop/{record.pk}/")
    _edit_birthplace(op_tab, live, record, "Bệnh viện huyện")
    expect(op_tab.locator("body")).to_contain_text("đã được khóa")
    expect(op_tab.locator("body")).to_contain_text("mở lại")
    record.refresh_from_db()
    assert (record.version, record.data) == before

    # The administrator reopens it, with a reason.
    admin_tab.goto(f"{live}/nghiem-thu/so/{book.pk}/")
    expect(admin_tab.locator("body")).to_contain_text("Sổ đã được khóa.")
    admin_tab.get_by_label("Lý do mở lại sổ").fill("Cải chính nơi sinh theo hồ sơ gốc")
    with admin_tab.expect_navigation():
        admin_tab.get_by_role("button", name="Mở lại sổ").click()
    book.refresh_from_db()
    assert book.status == "review"

    # Now the operator's edit goes in.
    _edit_birthplace(op_tab, live, record, "Bệnh viện huyện")
    expect(op_tab.locator(".messages .msg-success")).to_contain_text("Đã lưu")
    record.refresh_from_db()
    assert record.data["nksNoiSinh"] == "Bệnh viện huyện"

    # The package built while it was accepted is out of date, and says what changed.
    admin_tab.goto(f"{live}/trao-doi/so/{book.pk}/goi/")
    expect(admin_tab.locator("body")).to_contain_text("Đã lỗi thời")
    expect(admin_tab.locator("body")).to_contain_text(f"số {record.number}")
    assert admin_errors == [] and op_errors == []
    admin_ctx.close()
    op_ctx.close()


def test_after_a_failed_round_the_operator_finds_and_fixes_the_returned_records(
    browser, live, users, tree, settings
):
    settings.ACCEPTANCE_MAX_ERROR_RATE = 0.0
    admin, operator = users["unit_admin"], users["operator"]
    book = _assigned(build(users, tree), users)
    acceptance_round = acceptance_round_start(actor=admin, register=book)
    check_all(acceptance_round, users["province_admin"], wrong={1: ["nksNoiSinh"]})
    admin_ctx, admin_tab, admin_errors = new_tab(browser)
    op_ctx, op_tab, op_errors = new_tab(browser)

    sign_in(admin_tab, live, admin, f"/nghiem-thu/dot/{acceptance_round.pk}/")
    with admin_tab.expect_navigation():
        admin_tab.get_by_role("button", name="Kết luận đợt nghiệm thu").click()
    book.refresh_from_db()
    assert book.status == "keying"
    returned = Record.objects.get(register=book, status=Record.Status.RETURNED)
    comment = ReviewComment.objects.get(record=returned, resolved_at__isnull=True)
    assert comment.field == "nksNoiSinh"

    # "My work" lists it; the keying screen shows the checker's comment beside the field.
    sign_in(op_tab, live, operator, "/")
    expect(op_tab.locator("body")).to_contain_text("trả lại")
    op_tab.locator(f'a[href="/nhap-lieu/truong-hop/{returned.pk}/"]').first.click()
    op_tab.wait_for_url(f"{live}/nhap-lieu/truong-hop/{returned.pk}/")
    expect(op_tab.locator("body")).to_contain_text(f"đợt {acceptance_round.pk}")
    _edit_birthplace(op_tab, live, returned, "Trạm y tế xã Nghi Công Bắc")
    expect(op_tab.locator(".messages .msg-success")).to_contain_text("Đã lưu")
    returned.refresh_from_db()
    assert returned.status == Record.Status.SUBMITTED  # back to review
    assert returned.data["nksNoiSinh"] == "Trạm y tế xã Nghi Công Bắc"
    assert Register.objects.get(pk=book.pk).status in ("keying", "review")
    assert admin_errors == [] and op_errors == []
    admin_ctx.close()
    op_ctx.close()
