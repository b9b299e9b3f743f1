"""A large file read and checked by two processes, half each, with the same result as one.

The sheet is cut in two workbooks at the middle of its XML (`xlsx_split`). This process reads
the first half (the header and the first rows); a helper process, started at once with
`python -m hotich.transfer.parallel FOLDER FILE CUT`, reads and checks the second half. They
share what must be decided for the whole file:

- the header (the template and its columns), from this process;
- the legacy encoding: decided on the first `_SAMPLE` non-ASCII texts of the file, which are
  this half's unless it has fewer, in which case the helper's first texts complete them;
- the helper's rows (`RowResult`, with their issues and their Excel line), which are added
  after this half's; the numbering rules then run over all rows here, as for one process.

Whenever the file cannot be cut, or the helper stops, `analyse` returns None and the caller
reads the whole file itself: never a different result, only a slower one. Files are exchanged
in a scratch folder, each written and then renamed, so a reader never sees half a file; the
pickles are written by the two processes of the same import.
"""

from __future__ import annotations

import itertools
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

#: Files whose sheet holds less XML than this are read by one process (about 17,000 rows of a
#: birth register filled as usual): starting the helper costs about half a second.
PARALLEL_MIN_BYTES = 40_000_000
#: Where the sheet is cut: the helper has half a second less (it starts a new Python and
#: inflates the whole sheet to reach its part), so this process takes a little more than half
#: (balanced on the benchmark file).
CUT_AT = 0.55
TIMEOUT_SECONDS = 1800
_POLL = 0.005
#: The memory high-water mark the last helper of this process reported (for the benchmark).
last_helper_peak_kb = [0]


class _Fallback(Exception):
    """The two halves cannot be used: read the whole file in one process."""


def wanted(path: Path) -> bool:
    from django.conf import settings

    from hotich.transfer.xlsx_split import data_sheet_member

    if (os.cpu_count() or 1) < 2 or not getattr(settings, "IMPORT_HELPER", True):
        return False
    try:
        with zipfile.ZipFile(path) as book:
            member = data_sheet_member(book)
            return member is not None and book.getinfo(member).file_size >= PARALLEL_MIN_BYTES
    except (OSError, zipfile.BadZipFile, KeyError):
        return False


def _path_of(stream: BinaryIO) -> Path | None:
    """The file on disk that `stream` reads, if it is one (the helper opens it by its path).

    An upload's `name` is the name the person gave it, not a path: only a name that is the very
    file the stream has open is used.
    """
    name = getattr(stream, "name", None)
    if not isinstance(name, str):
        return None
    path = Path(os.path.abspath(name))
    try:
        opened, named = os.fstat(stream.fileno()), os.stat(path)
    except (OSError, AttributeError, ValueError):
        return None
    if (opened.st_dev, opened.st_ino) != (named.st_dev, named.st_ino):
        return None
    return path


def _put(folder: Path, name: str, value: Any) -> None:
    partial = folder / f"{name}.partial"
    with partial.open("wb") as out:
        pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, folder / name)


def _take(folder: Path, name: str, process: subprocess.Popen[bytes] | None = None) -> Any:
    """Wait for `name` from the other process; `_Fallback` if that process stopped first."""
    path = folder / name
    waited = 0.0
    while not path.exists():
        if process is not None and process.poll() is not None and not path.exists():
            raise _Fallback(f"helper stopped (exit status {process.returncode})")
        if process is None and waited > TIMEOUT_SECONDS:
            raise _Fallback(f"waited too long for {name}")
        time.sleep(_POLL)
        waited += _POLL
    with path.open("rb") as stream:
        return pickle.load(stream)


def _flat(sample: list[list[str]]) -> list[str]:
    return [text for row in sample for text in row]


def analyse(
    register: Any,
    stream: BinaryIO,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    encoding: str | None = None,
) -> Any:
    """`importer.analyse` by two processes, or None when the file is small or cannot be cut."""
    path = _path_of(stream)
    if path is None or not wanted(path):
        return None
    folder = Path(tempfile.mkdtemp(prefix="hotich-analyse-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        _put(folder, "job.pickle", {"register": register, "encoding": encoding})
        from django.conf import settings

        module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE
        with (folder / "stderr.txt").open("wb") as errors:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(folder), str(path), repr(CUT_AT)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=dict(
                    os.environ,
                    DJANGO_SETTINGS_MODULE=module or "hotich.settings",
                    HOTICH_PARENT_PID=str(os.getpid()),
                ),
            )
        return _first_half(register, path, folder, process, progress, encoding)
    except _Fallback:
        return None
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _first_half(
    register: Any,
    path: Path,
    folder: Path,
    process: subprocess.Popen[bytes],
    progress: Callable[[int, int, str], None] | None,
    encoding: str | None,
) -> Any:
    from django.utils.translation import gettext as _

    from hotich.transfer import importer
    from hotich.transfer.xlsx_read import WorkbookError, open_sheet
    from hotich.transfer.xlsx_split import write_part

    part = folder / "part0.xlsx"
    if not write_part(path, 0, part, cut_at=CUT_AT):
        raise _Fallback("the sheet cannot be cut")
    try:
        with part.open("rb") as stream:
            sheet = open_sheet(stream, path=part)
    except WorkbookError as exc:
        raise _Fallback(str(exc)) from exc  # the whole file gives the message
    if sheet.start != (0, 0):
        raise _Fallback("the sheet does not start at A1")
    layout = importer.check_layout(register, sheet.header)
    _put(folder, "header.pickle", sheet.header)
    analysis = importer.Analysis(
        sheet=sheet.name, layout=layout, encoding=encoding or "unicode", preview=[]
    )

    def decide(sample: list[list[str]]) -> str:
        # The first `_SAMPLE` texts of the file: this half's, completed by the helper's.
        whole = list(sample)
        counted = sum(len(row) for row in whole)
        if counted < importer._SAMPLE:
            for row in _take(folder, "sample.pickle", process):
                whole.append(row)
                counted += len(row)
                if counted >= importer._SAMPLE:
                    break
        found = encoding or importer._detect(_flat(whole))
        _put(folder, "encoding.pickle", found)
        return found

    checker = importer.RowChecker(register, layout, analysis, encoding=encoding, decide=decide)
    mine = sheet.total + 1  # rows of this half, the header included: its last line
    estimate = 2 * sheet.total
    for offset, row in enumerate(sheet.rows):
        if checker.feed(offset + 2, row) and progress and checker.done % 5000 == 0:
            progress(checker.done, estimate, _("Đang kiểm tra dữ liệu…"))
    del sheet
    checker.finish()
    status, payload = _take(folder, "result.pickle", process)
    if status != "ok":
        raise _Fallback(str(payload))
    from hotich.records import bulk_helper

    bulk_helper.warm()  # the helper is done: the store's helper can start on its core
    rows, preview, done, first_line, peak_kb = payload
    last_helper_peak_kb[0] = peak_kb
    if first_line <= mine:
        raise _Fallback("the halves overlap")  # not the sheet this process read
    result = importer.RowResult
    analysis.rows.extend(
        result(line, data, issues, other=other) for line, data, issues, other in rows
    )
    analysis.preview.extend(preview[: max(0, importer.PREVIEW_ROWS - len(analysis.preview))])
    importer._numbering(register, analysis.rows)
    total = checker.done + done
    if progress:
        progress(total, total, _("Đã kiểm tra xong."))
    return analysis


# ---- the helper process ------------------------------------------------------------------------


def _second_half(folder: Path, source: Path, cut_at: float) -> tuple[str, Any]:
    from hotich.transfer.xlsx_read import open_sheet
    from hotich.transfer.xlsx_split import write_part

    part = folder / "part1.xlsx"
    if not write_part(source, 1, part, cut_at=cut_at):
        return "fallback", "the sheet cannot be cut"
    with part.open("rb") as stream:
        sheet = open_sheet(stream, header_row=False, path=part)
    from hotich.transfer import importer

    with (folder / "job.pickle").open("rb") as stream:
        job = pickle.load(stream)
    register, encoding = job["register"], job["encoding"]
    header = _take(folder, "header.pickle")
    layout = importer.check_layout(register, header)
    analysis = importer.Analysis(
        sheet=sheet.name, layout=layout, encoding=encoding or "unicode", preview=[]
    )

    def decide(sample: list[list[str]]) -> str:
        _put(folder, "sample.pickle", sample)  # needed when the first half has too few
        return str(_take(folder, "encoding.pickle"))

    checker = importer.RowChecker(register, layout, analysis, encoding=encoding, decide=decide)
    # The reader gives rows from the sheet's first row (the first half's rows come out empty)
    # but cells from its first column: skip the former, pad the latter to the first half's.
    first_row, first_column = sheet.start
    pad = [""] * first_column
    for offset, row in enumerate(itertools.islice(sheet.rows, first_row, None)):
        checker.feed(first_row + offset + 1, [*pad, *row] if pad else row)
    checker.finish()
    # Plain tuples: several times quicker to unpickle than the dataclass instances.
    rows = [(r.line, r.data, r.issues, r.other) for r in analysis.rows]
    return "ok", (rows, analysis.preview, checker.done, first_row + 1, _peak_kb())


def _peak_kb() -> int:
    from hotich.records.bulk_helper import _peak_kb as peak

    return peak()


def main(folder: Path, source: Path, cut_at: float) -> None:
    import django

    django.setup()
    from hotich.core.worker import exit_with_parent

    exit_with_parent()  # a worker killed mid-job leaves no helper waiting for it
    from hotich.core.fastinsert import gc_paused

    with gc_paused():
        try:
            result = _second_half(folder, source, cut_at)
        except Exception as exc:  # the first half then reads the whole file: it says why
            result = ("fallback", repr(exc)[:500])
        _put(folder, "result.pickle", result)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]))
