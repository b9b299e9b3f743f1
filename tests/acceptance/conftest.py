"""The real-browser fixtures of the keying tests (Chromium, the live server and its workarounds)."""

import contextlib

import pytest

# Without Playwright the keying module skips on import; test_lifecycle_browser.py skips itself.
with contextlib.suppress(pytest.skip.Exception):
    from tests.keying.test_keying_browser import browser, live  # noqa: F401
