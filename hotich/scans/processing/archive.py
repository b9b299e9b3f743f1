"""Zip files: the files inside, extracted under names of our own, refusing what is unsafe.

Member names are only ever reported, never used as paths, so nothing can be written outside
`dest`; a name that tries (absolute, drive letter, "..") still gets the whole zip refused, as
something is wrong with it. A zip inside the zip is opened too, up to MAX_ZIP_DEPTH levels, and
its files are listed as "inner.zip/name". The limits hold for all levels together: the number
of files and the bytes written (the inner zips themselves included), checked against the
sizes each directory declares before anything is extracted, then counted while extracting,
since a zip bomb lies in its header. Even the directory is checked (its entries and size, from
its end record) before Python's zipfile reads it into memory.
"""

from __future__ import annotations

import contextlib
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext_lazy as _

from .base import ScanError
from .detect import _is_office_document

MAX_ZIP_FILES = 5000  # over all levels: about ten registers' worth of one-case PDFs
MAX_ZIP_BYTES = 4 * 1024**3  # written over all levels: twice the largest upload
MAX_ZIP_DEPTH = 3  # the upload, a zip in it and a zip in that: a package of packages
_DIRECTORY_BYTES = 64 * 1024**2  # what zipfile holds to list the members
_CHUNK = 1024 * 1024
_JUNK = {"thumbs.db", "desktop.ini"}
_ZIP_CORRUPT = _("Tệp nén ZIP bị hỏng, không giải nén được.")


class _Whole(ScanError):
    """A refusal already worded for the whole upload (a limit over all levels, or damage in a
    zip inside, named): not to be wrapped again on its way out."""


@dataclass
class _Budget:
    max_files: int
    max_bytes: int
    member_bytes: int | None
    files: int = 0  # left
    bytes: int = 0  # left

    def __post_init__(self) -> None:
        self.files, self.bytes = self.max_files, self.max_bytes


def expand_zip(
    path: Path,
    dest: Path,
    *,
    max_files: int = MAX_ZIP_FILES,
    max_total_bytes: int = MAX_ZIP_BYTES,
    max_member_bytes: int | None = None,
    max_depth: int = MAX_ZIP_DEPTH,
) -> list[tuple[str, Path]]:
    """(name inside the zip, extracted path) of each file, in natural name order ("2.jpg"
    before "10.jpg"), the files of a zip inside in the place of that zip; folders,
    `__MACOSX/`, dot files and Windows' Thumbs.db are left out. `max_member_bytes` limits
    each file, as an upload is limited."""
    budget = _Budget(max_files, max_total_bytes, max_member_bytes)
    dest.mkdir(parents=True, exist_ok=True)
    result: list[tuple[str, Path]] = []
    _expand(path, dest, "", 1, max_depth, budget, result)
    if not result:
        raise ScanError("empty", _("Tệp nén ZIP không chứa tệp nào."))
    return result


def _expand(
    path: Path,
    dest: Path,
    prefix: str,
    depth: int,
    max_depth: int,
    budget: _Budget,
    result: list[tuple[str, Path]],
) -> None:
    _check_directory(path, budget)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ScanError("corrupt", _ZIP_CORRUPT) from exc
    with zf:
        members = _members(zf)
        budget.files -= len(members)
        if budget.files < 0:
            raise _too_many(budget)
        declared = sum(info.file_size for _name, info in members)
        if declared > budget.bytes:
            raise _too_big(budget)
        for number, (name, info) in enumerate(members, start=1):
            if budget.member_bytes is not None and info.file_size > budget.member_bytes:
                raise _member_too_big(prefix + name, budget.member_bytes)
            target = dest / f"{number:05d}{_suffix(name)}"
            budget.bytes -= _extract(zf, info, target, budget, prefix + name)
            if not _is_zip(target):
                result.append((prefix + name, target))
                continue
            if depth >= max_depth:
                raise ScanError(
                    "unsafe",
                    _("Tệp nén ZIP lồng nhau quá %(max)s lớp (“%(name)s”): không giải nén.")
                    % {"max": max_depth, "name": prefix + name},
                )
            inner = dest / f"{number:05d}.d"  # not the member itself, named without suffix
            inner.mkdir()
            try:
                _expand(target, inner, f"{prefix}{name}/", depth + 1, max_depth, budget, result)
            except ScanError as exc:
                if isinstance(exc, _Whole):
                    raise
                # Named once, by its full name, however deep the damage lies.
                raise _Whole(
                    exc.code,
                    _("Tệp nén “%(name)s” bên trong: %(reason)s")
                    % {"name": prefix + name, "reason": exc},
                ) from exc
            target.unlink()


def _check_directory(path: Path, budget: _Budget) -> None:
    """Refuse a directory too big to list from what its end record declares."""
    try:
        with path.open("rb") as fh:
            end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ScanError("corrupt", _ZIP_CORRUPT) from exc
    if end is None:
        raise ScanError("corrupt", _ZIP_CORRUPT)
    entries, size = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    # Folders and Mac clutter have entries of their own: allow for them.
    if entries > 3 * budget.files + 100 or size > _DIRECTORY_BYTES:
        raise _too_many(budget)


def _is_zip(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(4)
    return head in (b"PK\x03\x04", b"PK\x05\x06") and not _is_office_document(path)


def _too_many(budget: _Budget) -> ScanError:
    return _Whole(
        "unsafe",
        _("Tệp nén ZIP chứa hơn %(max)s tệp (kể cả các tệp nén bên trong): hãy chia nhỏ.")
        % {"max": budget.max_files},
    )


def _members(zf: zipfile.ZipFile) -> list[tuple[str, zipfile.ZipInfo]]:
    found = []
    for info in zf.infolist():
        name = _decoded_name(info)
        parts = PurePosixPath(name).parts
        if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in parts:
            raise ScanError(
                "unsafe",
                _("Tệp nén ZIP có đường dẫn ra ngoài thư mục (“%(name)s”): không giải nén.")
                % {"name": name},
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ScanError(
                "unsafe", _("Tệp nén ZIP chứa liên kết tượng trưng (“%(name)s”).") % {"name": name}
            )
        if not parts or name.endswith("/") or info.is_dir():  # is_dir() fails on a name ""
            continue
        if parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts):
            continue
        if parts[-1].lower() in _JUNK:
            continue
        if info.flag_bits & 0x1:
            raise ScanError(
                "encrypted",
                _("Tệp nén ZIP được đặt mật khẩu: hãy nén lại không đặt mật khẩu."),
            )
        found.append((name, info))
    found.sort(key=lambda item: (_natural(item[0]), item[0]))
    return found


def _decoded_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:
        # Without the UTF-8 flag Python reads names as cp437, but many tools write UTF-8 anyway.
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("utf-8")
    # Windows separators; macOS writes decomposed (NFD) Vietnamese.
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def _natural(name: str) -> list[tuple[int, int | str]]:
    return [
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", name)
        if part
    ]


def _suffix(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""


def _extract(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: _Budget, name: str
) -> int:
    """Write one member to `target`; its size, which may exceed neither what its header
    declares nor the bytes left."""
    written = 0
    try:
        with zf.open(info) as src, target.open("wb") as out:
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                if written > info.file_size:
                    raise ScanError(
                        "unsafe",
                        _(
                            "Tệp nén ZIP khai sai kích thước của “%(name)s” (giải nén ra nhiều "
                            "hơn): không giải nén."
                        )
                        % {"name": name},
                    )
                if written > budget.bytes:
                    raise _too_big(budget)
                out.write(chunk)
    except (FileNotFoundError, PermissionError, ScanError):
        raise
    except NotImplementedError as exc:  # Deflate64 from Windows, for instance
        raise ScanError(
            "unsupported", _("Tệp nén ZIP dùng kiểu nén chưa hỗ trợ: hãy nén lại kiểu thường.")
        ) from exc
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, zlib.error) as exc:
        raise ScanError("corrupt", _ZIP_CORRUPT) from exc
    return written


def _too_big(budget: _Budget) -> ScanError:
    return _Whole(
        "unsafe",
        _("Tệp nén ZIP giải nén ra quá %(gb)s GB (kể cả các tệp nén bên trong): không giải nén.")
        % {"gb": _gigabytes(budget.max_bytes)},
    )


def _member_too_big(name: str, limit: int) -> ScanError:
    return ScanError(
        "too_large",
        _("Tệp “%(name)s” trong tệp nén quá %(max)s MB, giới hạn của một tệp: hãy chia nhỏ.")
        % {"name": name, "max": limit // 1024**2},
    )


def _gigabytes(n: int) -> str:
    return f"{n / 1024**3:.1f}".rstrip("0").rstrip(".")
