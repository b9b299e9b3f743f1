"""Zip files: the files inside, extracted under names of our own, refusing what is unsafe.

Member names are only ever reported, never used as paths, so nothing can be written outside
`dest`; a name that tries (absolute, drive letter, "..") still gets the whole zip refused, as
something is wrong with it. Sizes are checked against the declared ones before extracting and
counted while extracting, since a zip bomb lies in its header.
"""

from __future__ import annotations

import contextlib
import re
import stat
import unicodedata
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext_lazy as _

from .base import ScanError

_CHUNK = 1024 * 1024
_JUNK = {"thumbs.db", "desktop.ini"}
_ZIP_CORRUPT = _("Tệp nén ZIP bị hỏng, không giải nén được.")


def expand_zip(
    path: Path, dest: Path, *, max_files: int = 5000, max_total_bytes: int = 4 * 1024**3
) -> list[tuple[str, Path]]:
    """(name inside the zip, extracted path) of each file, in natural name order ("2.jpg"
    before "10.jpg"); folders, `__MACOSX/`, dot files and Windows' Thumbs.db are left out;
    nested zips are extracted like any file (the caller reports them)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ScanError("corrupt", _ZIP_CORRUPT) from exc
    with zf:
        members = _members(zf)
        if not members:
            raise ScanError("empty", _("Tệp nén ZIP không chứa tệp nào."))
        if len(members) > max_files:
            raise ScanError(
                "unsafe",
                _("Tệp nén ZIP chứa %(n)s tệp, quá giới hạn %(max)s tệp.")
                % {"n": len(members), "max": max_files},
            )
        if sum(info.file_size for _name, info in members) > max_total_bytes:
            raise _too_big(max_total_bytes)
        dest.mkdir(parents=True, exist_ok=True)
        budget = max_total_bytes
        result = []
        for number, (name, info) in enumerate(members, start=1):
            target = dest / f"{number:05d}{_suffix(name)}"
            budget -= _extract(zf, info, target, budget)
            result.append((name, target))
        return result


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
        if info.is_dir() or name.endswith("/") or not parts:
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


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> int:
    """Write one member to `target`; its size, which may exceed neither what its header
    declares nor the `budget` left."""
    limit = min(info.file_size, budget)
    written = 0
    try:
        with zf.open(info) as src, target.open("wb") as out:
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                if written > limit:
                    raise _too_big(budget)
                out.write(chunk)
    except (FileNotFoundError, PermissionError):
        raise
    except NotImplementedError as exc:  # Deflate64 from Windows, for instance
        raise ScanError(
            "unsupported", _("Tệp nén ZIP dùng kiểu nén chưa hỗ trợ: hãy nén lại kiểu thường.")
        ) from exc
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, zlib.error) as exc:
        raise ScanError("corrupt", _ZIP_CORRUPT) from exc
    return written


def _too_big(limit: int) -> ScanError:
    return ScanError(
        "unsafe",
        _("Tệp nén ZIP giải nén ra quá %(gb)s GB: không giải nén.")
        % {"gb": f"{limit / 1024**3:.1f}".rstrip("0").rstrip(".")},
    )
