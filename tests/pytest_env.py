"""Loaded with `-p tests.pytest_env` before Django settings are imported by pytest-django."""

import os
import tempfile

os.environ["HOTICH_DATA_DIR"] = tempfile.mkdtemp(prefix="hotich-test-")
os.environ["HOTICH_JOBS"] = "immediate"
