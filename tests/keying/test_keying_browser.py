"""The keying screen in headless Chromium against the live server, driven by the keyboard alone.

An operator signs in through the login form, keys a whole birth record moving with Enter and
saves it with Ctrl+Enter; validation as you type shows an impossible date and Ctrl+S keeps a
draft; two rows are keyed in the grid. Fields are reached by pressing Enter as many times as the
declared column order says (`record_type("KS").keyed_fields`), so the test also checks that the
screen follows that order.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from hotich.records.models import Record
from hotich.records.schema import record_type
from hotich.registers.models import Assignment
from tests.factories import UserFactory

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Matkhau2024x"  # what UserFactory sets
ORDER = [f.key for f in record_type("KS").keyed_fields]
TIMEOUT_MS = 10_000  # generous: the machine may be busy; passing tests never wait this long

# (field, what is typed) in screen order; code fields are <select>s: typing the code picks it.
BIRTH = [
    ("so", "01"),
    ("quyenSo", "03"),
    ("trangSo", "12"),
    ("ngayDangKy", "10.03.2010"),
    ("loaiDangKy", "1"),
    ("noiDangKy", "UBND xã Phước Tỉnh"),
    ("nguoiKy", "Lê Văn Kỷ"),
    ("chucVuNguoiKy", "Chủ tịch"),
    ("nksHoTen", "NGUYỄN THỊ HOÀ"),
    ("nksGioiTinh", "2"),
    ("nksNgaySinh", "01.03.2010"),
    ("nksNoiSinh", "Trạm y tế xã Phước Tỉnh"),
    ("nksDanToc", "Kinh"),
    ("nksQuocTich", "Việt Nam"),
    ("meHoTen", "TRẦN THỊ BÍCH"),
    ("meNgaySinh", "1985"),
    ("chaHoTen", "NGUYỄN VĂN CƯỜNG"),
    ("chaNgaySinh", "04.1983"),
    ("nycHoTen", "NGUYỄN VĂN CƯỜNG"),
    ("nycQuanHe", "Cha"),
]


# ---- fixtures


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium")
    # Playwright's sync API runs an event loop in this thread, which Django takes for an async
    # context and refuses database access from; the test's own queries are plain sync code.
    # Module-wide, so it also covers the database flush after each test.
    with pytest.MonkeyPatch.context() as mp, sync_api.sync_playwright() as p:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class OneRequestAtATime:
    """Serve one request at a time, from its start until its body is sent.

    With an in-memory SQLite database the live server's request threads all use the test's one
    connection, and two requests at once (a place lookup and a validation) break each other's
    transactions; Django leaves it to the test to keep them apart.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            response = self.app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                if hasattr(response, "close"):
                    response.close()


@pytest.fixture
def live(transactional_db, live_server) -> Iterator[str]:
    """The live server's address, with the static files handler alone in front of the site.

    Django's live server also puts a media files handler in front, which fails on every request
    when MEDIA_URL is None, as here (scans are only served by permission-checked views).

    Each test's rows are flushed afterwards. On SQLite the flush deletes row by row, which the
    append-only trigger on audit events refuses, so that trigger is lifted for one delete and
    put back; PostgreSQL truncates, which row triggers do not see.
    """
    httpd = live_server.thread.httpd
    original = httpd.get_app()
    app = StaticFilesHandler(WSGIHandler())
    shared = bool(live_server.thread.connections_override)  # in-memory SQLite
    httpd.set_app(OneRequestAtATime(app) if shared else app)
    yield live_server.url
    httpd.set_app(original)
    if connection.vendor == "sqlite":
        append_only = importlib.import_module("hotich.core.migrations.0002_audit_append_only")
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")
            cursor.execute("DELETE FROM core_auditevent")
            cursor.execute(append_only.SQLITE[1])


@pytest.fixture
def keyer(users, register):
    """An operator of the register's office, assigned to key it."""
    operator = UserFactory(
        username="gophim", full_name="Đỗ Thị Gõ", office=register.custodian, role="operator"
    )
    Assignment.objects.create(
        register=register,
        user=operator,
        task=Assignment.Task.KEYING,
        assigned_by=users["unit_admin"],
    )
    return operator


@pytest.fixture
def page(browser, live):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(FOCUS_LOG)
    # The test reads the database between steps: no request of the browser's own may run then.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
    yield tab
    context.close()
    assert errors == []


# ---- helpers

# Every move of the focus, as [grid row or -1, data-field], kept until read by `enter_until`.
FOCUS_LOG = """
window.focusPath = [];
document.addEventListener("focusin", (ev) => {
  const tr = ev.target.closest && ev.target.closest("#key-grid tbody tr");
  const row = tr ? Array.prototype.indexOf.call(tr.parentNode.children, tr) : -1;
  window.focusPath.push([row, (ev.target.dataset && ev.target.dataset.field) || null]);
}, true);
"""
HERE = """() => { window.focusPath.length = 0;
  const el = document.activeElement;
  const tr = el && el.closest("#key-grid tbody tr");
  const row = tr ? Array.prototype.indexOf.call(tr.parentNode.children, tr) : -1;
  return [row, (el && el.dataset && el.dataset.field) || null]; }"""


def new_tab(chromium):
    """A tab of its own (a context: its own cookies), with the page errors and 5xx answers it
    meets collected."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
    return context, tab, errors


def sign_in(page, live: str, user, path: str) -> None:
    """Open `path`, get sent to the login form, sign in there with the keyboard."""
    page.goto(live + path)
    assert re.search(r"/dang-nhap/\?next=", page.url), page.url
    expect(page.locator('input[name="username"]')).to_be_focused()  # autofocus
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def here(page) -> tuple[int, str | None]:
    """(grid row or -1, field) of the focused element."""
    row, field = page.evaluate(HERE)
    return row, field


def enter_until(page, key: str, *, row: int = -1, then: str = "") -> None:
    """Press Enter until the focused field is `key`, then type `then`.

    Enter is pressed as many times as the declared order puts fields between the focused one and
    `key`; each press must land on the next declared field (on the same grid row), so a field that
    is never reached, skipped or out of order fails with the path the focus took.
    """
    at = here(page)
    assert at[0] == row and at[1] in ORDER, f"focus is on {at}, not on a field of row {row}"
    start, stop = ORDER.index(at[1]), ORDER.index(key)
    assert start <= stop, f"{key} comes before {at[1]} in the declared order"
    expected = [[row, k] for k in ORDER[start + 1 : stop + 1]]
    # "\n" is the Enter key for Playwright: one round trip for the whole way.
    page.keyboard.type("\n" * len(expected) + then)
    went = page.evaluate("() => window.focusPath.splice(0)")
    assert went == expected, f"on the way from {at[1]} to {key}, Enter went to {went}"


def key_in(page, values: list[tuple[str, str]], *, row: int = -1) -> None:
    for key, text in values:
        enter_until(page, key, row=row, then=text)


# ---- tests


def test_an_operator_keys_a_whole_birth_record_with_the_keyboard(page, live, keyer, register):
    new_url = f"{live}/nhap-lieu/so/{register.pk}/moi/"
    sign_in(page, live, keyer, f"/nhap-lieu/so/{register.pk}/")
    assert page.url == new_url
    assert here(page) == (-1, "so")  # the first empty field

    # Validation as you type answers 0.4 s after the last key: nothing wrong with the record.
    # Waiting for it also leaves the server idle when the test reads the database.
    last_key, last_text = BIRTH[-1]
    with page.expect_response(
        lambda r: (
            "/kiem-tra/" in r.url
            and f'name="{last_key}"\r\n\r\n{last_text}\r\n' in (r.request.post_data or "")
        )
    ) as checked:
        key_in(page, BIRTH)
    assert checked.value.json() == {"issues": []}
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")

    # Saved and on to a new record, which carries over what repeats and the next number.
    assert page.url == new_url
    expect(page.locator(".messages .msg-success")).to_contain_text("Đã lưu")
    expect(page.locator('[data-field="noiDangKy"]')).to_have_value("UBND xã Phước Tỉnh")
    expect(page.locator('[data-field="nguoiKy"]')).to_have_value("Lê Văn Kỷ")
    expect(page.locator('[data-field="so"]')).to_have_value("02")
    expect(page.locator('[data-field="nksHoTen"]')).to_have_value("")

    record = Record.objects.get(register=register)
    assert record.status == Record.Status.SUBMITTED
    assert record.data == dict(BIRTH)  # as typed; codes kept as codes (sex "2", loaiDangKy "1")
    assert (record.number, record.updated_by, record.keyed_by) == ("01", keyer, keyer)
    parties = {p.role: p for p in record.parties.all()}
    assert set(parties) == {"registered", "mother", "father", "declarant"}
    child = parties["registered"]
    assert (child.full_name, child.sex, child.ethnicity, child.nationality) == (
        "NGUYỄN THỊ HOÀ",
        "2",
        "Kinh",
        "Việt Nam",
    )
    assert (child.birth_year, child.birth_month, child.birth_day) == (2010, 3, 1)
    assert child.birthplace == "Trạm y tế xã Phước Tỉnh"
    mother, father = parties["mother"], parties["father"]
    assert (mother.full_name, mother.birth_year, mother.birth_month, mother.birth_day) == (
        "TRẦN THỊ BÍCH",
        1985,
        None,
        None,
    )
    assert (father.full_name, father.birth_year, father.birth_month, father.birth_day) == (
        "NGUYỄN VĂN CƯỜNG",
        1983,
        4,
        None,
    )
    assert father.birth_text == "04.1983"
    assert parties["declarant"].full_name == "NGUYỄN VĂN CƯỜNG"


def test_an_impossible_date_shows_while_typing_and_ctrl_s_keeps_a_draft(
    page, live, keyer, register
):
    sign_in(page, live, keyer, f"/nhap-lieu/so/{register.pk}/")
    key_in(
        page,
        [
            ("so", "01"),
            ("ngayDangKy", "10.03.2010"),
            ("noiDangKy", "UBND xã Phước Tỉnh"),
            ("nksHoTen", "LÊ VĂN AN"),
            ("nksGioiTinh", "1"),
            ("nksNgaySinh", "31.02.2010"),
        ],
    )
    box = page.locator('.kf[data-kf="nksNgaySinh"]')
    expect(box.locator(".kf-msg")).to_have_text(
        re.compile(r"Ngày 31 không có trong tháng đó\."), timeout=TIMEOUT_MS
    )
    expect(box).to_have_class(re.compile(r"\bhas-error\b"))
    issues = page.locator("[data-issues]")
    expect(issues.locator("h3")).to_have_text(["Lỗi (phải sửa trước khi hoàn tất)"])
    expect(issues.locator("li")).to_have_text(["Ngày 31 không có trong tháng đó."])
    assert here(page) == (-1, "nksNgaySinh")  # nothing moved the operator
    assert not Record.objects.filter(register=register).exists()  # checked, not saved

    with page.expect_navigation():
        page.keyboard.press("Control+S")
    record = Record.objects.get(register=register)
    assert page.url == f"{live}/nhap-lieu/truong-hop/{record.pk}/"
    expect(page.locator(".messages .msg-warning")).to_contain_text("Đã lưu nháp")
    expect(page.locator('.kf.has-error[data-kf="nksNgaySinh"]')).to_be_visible()
    expect(page.locator('[data-field="nksNgaySinh"]')).to_have_value("31.02.2010")
    assert record.status == Record.Status.DRAFT
    assert record.data["nksNgaySinh"] == "31.02.2010"
    assert record.data["nksHoTen"] == "LÊ VĂN AN"
    assert record.error_count == 1


# ---- grid


def grid_row(page, row: int, values: list[tuple[str, str]]) -> None:
    """Key one grid row from its first cell, Enter through the rest of it and on to the next row
    (which saves this one; a blank row appears below and takes the focus)."""
    assert here(page) == (row, ORDER[0])
    key_in(page, values, row=row)
    enter_until(page, ORDER[-1], row=row)
    page.keyboard.press("Enter")
    page.wait_for_function(
        """(row) => { const el = document.activeElement;
        const tr = el && el.closest("#key-grid tbody tr");
        return !!tr && tr.parentNode.children[row + 1] === tr && el.dataset.field === "so"; }""",
        arg=row,
    )


def test_two_rows_are_keyed_in_the_grid_and_saved_as_records(page, live, keyer, register):
    sign_in(page, live, keyer, f"/nhap-lieu/so/{register.pk}/bang/")
    assert page.url == f"{live}/nhap-lieu/so/{register.pk}/bang/"
    first = [
        ("so", "01"),
        ("ngayDangKy", "10.03.2010"),
        ("loaiDangKy", "1"),
        ("noiDangKy", "UBND xã Phước Tỉnh"),
        ("nksHoTen", "LÊ VĂN AN"),
        ("nksGioiTinh", "1"),
        ("nksNgaySinh", "02.03.2010"),
    ]
    grid_row(page, 0, first)
    # The new row carries over what repeats and suggests the next number.
    rows = page.locator("#key-grid tbody tr")
    expect(rows).to_have_count(2, timeout=TIMEOUT_MS)
    expect(rows.nth(1).locator('[data-field="so"]')).to_have_value("02")
    expect(rows.nth(1).locator('[data-field="noiDangKy"]')).to_have_value("UBND xã Phước Tỉnh")
    second = [
        ("so", "02"),
        ("nksHoTen", "PHẠM THỊ BÌNH"),
        ("nksGioiTinh", "2"),
        ("nksNgaySinh", "05.03.2010"),
    ]
    grid_row(page, 1, second)
    expect(rows).to_have_count(3, timeout=TIMEOUT_MS)
    for n in (0, 1):
        expect(rows.nth(n).locator("[data-state]")).to_have_class(re.compile(r"status-submitted"))
    expect(page.locator("[data-progress-text]")).to_contain_text("Đã nhập 2 / 100")

    records = list(Record.objects.filter(register=register).order_by("sequence"))
    assert len(records) == 2
    # The volume comes with the register; the second row carried the first row's date,
    # registration kind and place.
    assert records[0].data == {"quyenSo": register.volume, **dict(first)}
    assert records[1].data == {
        "quyenSo": register.volume,
        "ngayDangKy": "10.03.2010",
        "loaiDangKy": "1",
        "noiDangKy": "UBND xã Phước Tỉnh",
        **dict(second),
    }
    assert [r.status for r in records] == [Record.Status.SUBMITTED] * 2
    assert [r.number for r in records] == ["01", "02"]
    assert [r.parties.get(role="registered").sex for r in records] == ["1", "2"]
