"""The scan page viewer in headless Chromium: paging, remembered zoom, rotation, thumbnails, API.

The page is rendered from `scans/_viewer.html` by the template engine alone and served from a
temporary folder, so the test needs no database and no view of the scans app.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import override_settings
from PIL import Image

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# (width, height, colour, status, records) of each generated page; page 3 is landscape.
PAGES = [
    (600, 850, "#f3e6c8", "ok", ["Số 01"]),
    (620, 880, "#dfeccf", "ok", ["Số 01", "Số 02"]),
    (900, 640, "#cfe0f3", "rescan", []),
    (600, 850, "#9a9a9a", "unreadable", ["Số 03"]),
]


def _page_list(prefix: str, ids: list[int]) -> list[dict]:
    return [
        {
            "id": page_id,
            "image": f"/img/{prefix}{n}.png",
            "thumb": f"/img/{prefix}{n}-t.png",
            "width": width,
            "height": height,
            "label": f"Trang {n}",
            "status": status,
            "records": records,
        }
        for n, (page_id, (width, height, _, status, records)) in enumerate(
            zip(ids, PAGES, strict=False), start=1
        )
    ]


def _write_images(folder: Path, prefix: str) -> None:
    folder.mkdir(exist_ok=True)
    for n, (width, height, colour, _, _) in enumerate(PAGES, start=1):
        image = Image.new("RGB", (width, height), colour)
        # A dark block in the top-left corner shows which way up the page is.
        image.paste((40, 40, 40), (20, 20, width // 3, height // 8))
        image.save(folder / f"{prefix}{n}.png")
        image.resize((width // 8, height // 8)).save(folder / f"{prefix}{n}-t.png")


def _document(pages: list[dict], second: list[dict]) -> str:
    pages_json = json.dumps(pages, ensure_ascii=False).replace("<", "\\u003c")
    second_json = json.dumps(second, ensure_ascii=False).replace("<", "\\u003c")
    # Plain static URLs even if the project later moves to a manifest storage.
    with override_settings(
        STATIC_URL="/static/",
        STORAGES={
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        },
    ):
        first = render_to_string(
            "scans/_viewer.html",
            {
                "viewer_id": "v1",
                "pages_json": pages_json,
                "remember": "keying",
                "global_shortcuts": True,
            },
        )
        other = render_to_string(
            "scans/_viewer.html", {"viewer_id": "v2", "pages_json": second_json}
        )
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<link rel="stylesheet" href="/static/hotich/app.css"></head>
<body style="display:block">
<input id="outside" aria-label="Ô nhập">
<div style="height:560px;width:900px">{first}</div>
<div style="height:300px;width:600px">{other}</div>
</body></html>"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _build_site(root: Path, pages: list[dict], second: list[dict]) -> None:
    _write_images(root / "img", "a")
    _write_images(root / "img", "b")
    shutil.copytree(Path(finders.find("scans/viewer.js")).parent, root / "static" / "scans")
    (root / "static" / "hotich").mkdir()
    shutil.copy(finders.find("hotich/app.css"), root / "static" / "hotich" / "app.css")
    (root / "index.html").write_text(_document(pages, second), encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("viewer-site")
    _build_site(root, _page_list("a", [12, 13, 14, 15]), _page_list("b", [70, 71]))
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1000, "height": 950})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    _open(tab, site)
    yield tab
    context.close()
    assert errors == []


def _open(tab, url: str) -> None:
    tab.goto(url)
    _wait_for_image(tab)
    tab.evaluate(
        """() => { window.changes = [];
        document.getElementById('v1').addEventListener('viewer:pagechange',
          (e) => window.changes.push(e.detail.id)); }"""
    )


def _wait_for_image(tab) -> None:
    tab.wait_for_function(
        """() => { const v = document.getElementById('v1');
        const img = v.querySelector('.hv-img');
        return !v.classList.contains('hv-loading') && img.complete && img.naturalWidth > 0; }"""
    )


def _label(tab, viewer: str = "v1") -> str:
    return tab.locator(f"#{viewer} [data-hv=label]").inner_text()


def _relative_width(tab) -> float:
    """Width of the shown page as a share of the stage: about 1.0 at "fit width"."""
    return tab.evaluate(
        """() => { const v = document.getElementById('v1');
        return v.querySelector('.hv-page').getBoundingClientRect().width
          / v.querySelector('.hv-stage').clientWidth; }"""
    )


def test_first_page_shows_and_keys_turn_pages(page):
    assert _label(page) == "Trang 1"
    assert "Trang 1" in page.locator("#v1 .hv-img").get_attribute("alt")
    assert page.locator("#v1 [data-hv=records]").inner_text() == "Trường hợp: Số 01"

    page.focus("#v1")
    page.keyboard.press("]")
    assert _label(page) == "Trang 2"
    page.keyboard.press("PageDown")
    assert _label(page) == "Trang 3"
    page.keyboard.press("[")
    assert _label(page) == "Trang 2"
    assert page.evaluate("window.changes") == [13, 14, 13]
    assert page.locator("#v1 [data-hv=pos]").inner_text() == "2 / 4"
    # The second viewer on the page is independent.
    assert _label(page, "v2") == "Trang 1"


def test_zoom_is_kept_on_the_next_page_and_after_a_reload(page, site):
    fit = _relative_width(page)
    page.focus("#v1")
    page.keyboard.press("+")
    zoomed = _relative_width(page)
    assert zoomed == pytest.approx(fit * 1.25, rel=0.02)

    page.keyboard.press("PageDown")
    _wait_for_image(page)
    assert _relative_width(page) == pytest.approx(zoomed, rel=0.02)

    _open(page, site)
    assert _label(page) == "Trang 1"
    assert _relative_width(page) == pytest.approx(zoomed, rel=0.02)
    page.focus("#v1")
    page.keyboard.press("0")
    assert _relative_width(page) == pytest.approx(fit, rel=0.02)


def test_r_turns_the_page_and_shift_r_turns_it_back(page):
    def box() -> dict:
        return page.locator("#v1 .hv-img").bounding_box()

    upright = box()
    assert upright["height"] > upright["width"]
    page.focus("#v1")
    page.keyboard.press("r")
    turned = box()
    assert turned["width"] > turned["height"]
    page.keyboard.press("Shift+R")
    assert box()["height"] > box()["width"]


def test_thumbnails_and_api_jump_to_a_page(page):
    thumbs = page.locator("#v1 .hv-thumb")
    assert thumbs.count() == 4
    assert thumbs.nth(0).locator("img").get_attribute("loading") == "lazy"
    assert thumbs.nth(0).get_attribute("aria-current") == "page"

    thumbs.nth(2).click()
    assert _label(page) == "Trang 3"
    assert thumbs.nth(2).get_attribute("aria-current") == "page"
    assert thumbs.nth(0).get_attribute("aria-current") is None
    assert page.locator("#v1 [data-hv=status]").inner_text() == "Cần scan lại"

    shown = page.evaluate("document.getElementById('v1').hotichViewer.goToId(15).label")
    assert shown == "Trang 4"
    assert page.evaluate("document.getElementById('v1').hotichViewer.current().id") == 15
    badge = page.locator("#v1 [data-hv=status]")
    assert badge.is_visible()
    assert badge.inner_text() == "Không đọc được"
    assert page.evaluate("window.changes") == [14, 15]


def test_shortcuts_leave_form_fields_alone_except_alt_page_keys(page):
    page.focus("#outside")
    page.keyboard.type("]+r")
    assert page.input_value("#outside") == "]+r"
    assert _label(page) == "Trang 1"

    page.keyboard.press("Alt+PageDown")
    assert _label(page) == "Trang 2"
    assert _label(page, "v2") == "Trang 1"  # v2 did not opt in to global shortcuts
