"""Loaded with `-p tests.pytest_env` before Django settings are imported by pytest-django."""

import atexit
import os
import shutil
import tempfile

os.environ["HOTICH_DATA_DIR"] = tempfile.mkdtemp(prefix="hotich-test-")
atexit.register(shutil.rmtree, os.environ["HOTICH_DATA_DIR"], ignore_errors=True)
os.environ["HOTICH_JOBS"] = "immediate"
