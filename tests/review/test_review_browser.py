"""The review round trip in headless Chromium against the live server, by keyboard.

A reviewer opens the queue, moves to the child's name with `j`, comments on it with `c`, returns
the record with `r`; the operator finds it in "my work", sees the comment beside the field on the
keying screen, fixes and saves it; the reviewer opens it again and verifies it with `v`. The
browser, live server and sign-in come from the keying browser test (see the workarounds there).
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from hotich.core.models import AuditEvent
from hotich.records.models import Record
from hotich.records.schema import record_type
from hotich.records.services import record_save
from hotich.registers.models import Assignment
from hotich.review.models import ReviewComment, ReviewDecision
from hotich.scans.models import PageLink, ScanBatch, ScanFile, ScanPage
from tests.keying.test_keying_browser import new_tab, sign_in
from tests.records.test_record_save import BIRTH

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

ROWS = [f.key for f in record_type("KS").keyed_fields]
WRONG, RIGHT = "NGUYỄN THỊ HOA", "NGUYỄN THỊ HOÀ"
COMMENT = "Tên có dấu huyền: HOÀ"


def _jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#f3e6c8").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def work(register, users):
    """A birth record keyed with one mistake by an assigned operator, with its scanned page."""
    operator = users["operator"]
    Assignment.objects.create(
        register=register, user=operator, task="keying", assigned_by=users["unit_admin"]
    )
    record = record_save(actor=operator, register=register, raw={**BIRTH, "nksHoTen": WRONG}).record
    assert record.status == Record.Status.SUBMITTED
    batch = ScanBatch.objects.create(register=register, created_by=users["unit_admin"])
    source = ScanFile.objects.create(
        register=register, batch=batch, original_name="a.pdf", uploaded_by=users["unit_admin"]
    )
    page = ScanPage.objects.create(
        register=register, source=source, source_index=0, sequence=1, pdf="p/1.pdf",
        image=default_storage.save("p/1.jpg", ContentFile(_jpeg((600, 850)))),
        thumb=default_storage.save("p/1-t.jpg", ContentFile(_jpeg((75, 106)))),
        width=600, height=850,
    )  # fmt: skip
    PageLink.objects.create(record=record, page=page)
    return record


def _images_loaded(tab) -> None:
    # Nothing of the browser's may still be asking the server when the test reads the database.
    tab.wait_for_function(
        "() => Array.from(document.images).every((img) => img.complete && img.naturalWidth > 0)"
    )


def _focused_row(tab) -> str | None:
    return tab.evaluate(
        "() => { const r = document.activeElement.closest('[data-rf]');"
        " return r ? r.dataset.rf : null; }"
    )


def _open_from_queue(tab, base: str, record: Record) -> None:
    expect(tab.locator("[data-review-start]")).to_be_focused()  # autofocus
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.url == f"{base}/kiem-tra/truong-hop/{record.pk}/"
    expect(tab.locator("#review-viewer .hv-img")).to_be_visible()
    _images_loaded(tab)


def test_a_returned_record_is_fixed_by_the_operator_and_then_verified(browser, live, users, work):
    reviewer, operator = users["reviewer"], users["operator"]
    review_ctx, review, review_errors = new_tab(browser)
    key_ctx, keying, key_errors = new_tab(browser)

    # The reviewer: to the name with j, comment with c, return with r.
    sign_in(review, live, reviewer, "/kiem-tra/")
    _open_from_queue(review, live, work)
    assert _focused_row(review) == "so"
    review.keyboard.type("j" * ROWS.index("nksHoTen"))
    assert _focused_row(review) == "nksHoTen"
    review.keyboard.press("c")
    comment = review.locator('[data-comment="nksHoTen"]')
    expect(comment).to_be_focused()
    review.keyboard.type(COMMENT)
    review.keyboard.press("Enter")  # done with the comment: on to the next field
    assert _focused_row(review) == ROWS[ROWS.index("nksHoTen") + 1]
    with review.expect_navigation():
        review.keyboard.press("r")
    assert review.url == f"{live}/kiem-tra/"  # nothing else waits
    expect(review.locator(".messages .msg-success")).to_contain_text("Đã trả lại")
    work.refresh_from_db()
    assert work.status == Record.Status.RETURNED
    assert list(ReviewComment.objects.values_list("field", "text", "by")) == [
        ("nksHoTen", COMMENT, reviewer.pk)
    ]

    # The operator: "my work" lists it with the comment; the keying screen shows it by the field.
    sign_in(keying, live, operator, "/")
    returned = keying.locator("[data-review-returned]")
    expect(returned).to_contain_text(COMMENT)
    with keying.expect_navigation():
        returned.get_by_role("link", name=re.compile(r"Số 01")).click()
    assert keying.url == f"{live}/nhap-lieu/truong-hop/{work.pk}/"
    _images_loaded(keying)
    expect(keying.locator('.kf[data-kf="nksHoTen"] [data-review-comment]')).to_contain_text(COMMENT)
    name = keying.locator('[data-field="nksHoTen"]')
    name.focus()
    name.select_text()
    with keying.expect_response(lambda r: r.url.endswith(f"/so/{work.register_id}/kiem-tra/")):
        keying.keyboard.type(RIGHT)
    with keying.expect_navigation():
        keying.keyboard.press("Control+S")
    expect(keying.locator(".messages .msg-success")).to_contain_text("Đã lưu")
    _images_loaded(keying)
    work.refresh_from_db()
    assert (work.status, work.data["nksHoTen"]) == (Record.Status.SUBMITTED, RIGHT)

    # The reviewer again: the record is back in the queue, opens on the commented field, v.
    review.goto(f"{live}/kiem-tra/")
    _open_from_queue(review, live, work)
    assert _focused_row(review) == "nksHoTen"
    expect(review.locator('[data-rf="nksHoTen"] [data-value]')).to_have_text(RIGHT)
    with review.expect_navigation():
        review.keyboard.press("v")
    expect(review.locator(".messages .msg-success")).to_contain_text("Đã xác nhận")

    work.refresh_from_db()
    assert work.status == Record.Status.VERIFIED
    assert (work.keyed_by, work.updated_by) == (operator, operator)
    assert list(ReviewDecision.objects.order_by("id").values_list("outcome", "reviewer")) == [
        ("returned", reviewer.pk),
        ("verified", reviewer.pk),
    ]
    assert ReviewComment.objects.get().resolved_by == reviewer
    events = AuditEvent.objects.filter(
        object_type="records.record", object_id=str(work.pk)
    ).order_by("id")
    assert [(e.action, e.actor_name, e.after["status"]) for e in events] == [
        ("record.create", operator.username, "submitted"),
        ("review.return", reviewer.username, "returned"),
        ("record.update", operator.username, "submitted"),
        ("review.verify", reviewer.username, "verified"),
    ]
    assert events[2].before == {"nksHoTen": WRONG}
    review_ctx.close()
    key_ctx.close()
    assert review_errors == [] and key_errors == []
