"""Fuzzing every upload path (issue 14): no file may crash, kill, hang or bloat the process.

The campaign is `python -m bench fuzz --cover`: one file for each format and mutation kind
(about 90, generated from seed 0, so the same files every run), each in a child process. What
the product must do with every one of them: refuse it with a message for the person, or accept
it, within 30 s and 1 GB. The first tests check that the harness itself sees what it claims to
see, on targets built to crash, hang, die and allocate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.fuzz import cases, targets, zygote

ROOT = Path(__file__).resolve().parent.parent


# ---- the harness -------------------------------------------------------------------------------


def _crash(path, name, fixtures):
    return {}[name]


def _die(path, name, fixtures):
    os.abort()


def _hang(path, name, fixtures):
    import time

    time.sleep(60)


def _refuse(path, name, fixtures):
    from hotich.scans.processing import ScanError

    raise ScanError("corrupt")


def _allocate(path, name, fixtures):
    block = bytearray(300 * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])  # touch every page: resident, not only reserved
    return {"bytes": len(block)}


def _runaway(path, name, fixtures):
    return len(bytearray(8 * 1024**3))


def _accept(path, name, fixtures):
    return {"size": path.stat().st_size}


HARNESS_TARGETS = {
    "crash": _crash,
    "die": _die,
    "hang": _hang,
    "refuse": _refuse,
    "allocate": _allocate,
    "runaway": _runaway,
    "accept": _accept,
}


def test_the_harness_tells_each_outcome_apart(tmp_path, monkeypatch):
    monkeypatch.setattr(targets, "TARGETS", HARNESS_TARGETS)
    names = list(HARNESS_TARGETS)

    def make(index: int) -> cases.Case:
        return cases.Case(0, index, "x", names[index], "", "f.bin", names[index], "", b"abc")

    opts = SimpleNamespace(
        timeout=3, address_space_mb=4096, jobs=2, save=str(tmp_path / "saved"),
        target_mb=1024, seed=0, database_copy="",
    )  # fmt: skip
    work = tmp_path / "work"
    work.mkdir()
    results = {
        r.case.kind: r
        for r in zygote.run_all(
            range(len(names)), fixtures=None, opts=opts, workdir=work, make=make
        )
    }
    assert results["accept"].outcome == "accepted"
    assert results["accept"].detail == {"size": 3}
    assert results["refuse"].outcome == "refused"
    crash = results["crash"]
    assert (crash.outcome, crash.exception) == ("unhandled", "KeyError")
    assert crash.frames[-1].endswith("_crash")
    assert (results["die"].outcome, results["die"].exception) == ("death", "SIGABRT")
    assert results["hang"].outcome == "hang"
    assert 3 <= results["hang"].seconds < 10
    # The address-space cap ends a runaway allocation in its child, as a MemoryError.
    assert (results["runaway"].outcome, results["runaway"].exception) == (
        "unhandled",
        "MemoryError",
    )
    # Peak memory is the child's own: 300 MB more than a child that allocates nothing.
    assert results["allocate"].peak_mb - results["accept"].peak_mb > 290
    # Every failing input is kept, with what happened to it.
    saved = sorted(p.name for p in (tmp_path / "saved").iterdir())
    assert "0-00000-x-crash.json" in saved and "0-00000-x-crash.bin" in saved
    assert not any("accept" in name or "refuse" in name for name in saved)
    assert list(work.iterdir()) == []  # every case's folder removed


def test_a_case_is_the_same_file_every_time():
    for index in (4, 40, 71, 81):
        first, again = cases.make(3, index), cases.make(3, index)
        assert (first.data, first.note) == (again.data, again.note)
    assert cases.make(3, 40).data != cases.make(4, 40).data


def test_cover_has_one_file_per_format_and_kind():
    labels = [cases.describe(0, i).label for i in cases.cover_indexes()]
    expected = {f"{f.name}/{k.name}" for f in cases.FORMATS for k in f.kinds}
    assert sorted(labels) == sorted(expected)


# ---- the campaign ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    out = tmp_path_factory.mktemp("fuzz")
    result = subprocess.run(
        [sys.executable, "-m", "bench", "fuzz", "--cover", "--by-kind", "--jobs", "2",
         "--save", str(out / "saved"), "--json", str(out / "result.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((out / "result.json").read_text())["result"]


def _listed(campaign, outcome):
    return "\n".join(
        f"  {f['case']}: {f['exception']} at {f['where']} ({f['mutation']}) {f['detail'][:80]}"
        f"\n    {f['reproduce']}"
        for f in campaign["failures"]
        if f["outcome"].startswith(outcome)
    )


def test_the_campaign_ran_every_format_and_kind(campaign):
    assert campaign["files"] == len(cases.cover_indexes())
    assert campaign["harness_error"] == 0, _listed(campaign, "harness_error")


def test_every_valid_seed_is_accepted(campaign):
    valid = [row for row in campaign["by_kind"] if row["kind"] == "valid"]
    assert len(valid) == len(cases.FORMATS)
    assert all(row["accepted"] == 1 for row in valid), valid


def test_no_file_kills_its_process(campaign):
    assert campaign["death"] == 0, "\n" + _listed(campaign, "death")


def test_every_refusal_is_a_message_for_the_person(campaign):
    assert campaign["unhandled"] == 0, "\n" + _listed(campaign, "unhandled")


def test_no_file_takes_more_than_30_seconds(campaign):
    assert campaign["hang"] == 0, "\n" + _listed(campaign, "hang")


def test_no_file_needs_more_than_1_gb(campaign):
    over = [f for f in campaign["failures"] if f["peak_mb"] > 1024]
    assert not over, "\n" + "\n".join(
        f"  {f['case']}: {f['peak_mb']:,.0f} MB ({f['mutation']})\n    {f['reproduce']}"
        for f in over
    )
