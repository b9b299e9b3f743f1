"""Step 1: what a file is (by its first bytes, never by its name) and its checksum."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .base import ScanError

_TIFF = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # classic and BigTIFF
_HEIF = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")
_OTHER_IMAGES = (b"GIF87a", b"GIF89a", b"BM")
_NAMES = {"pdf": "PDF", "zip": "ZIP", "jpeg": "JPEG", "png": "PNG", "tiff": "TIFF"}
_EXTENSIONS = {
    ".pdf": "pdf",
    ".zip": "zip",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".tif": "tiff",
    ".tiff": "tiff",
}


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def sniff(path: Path, filename: str) -> str:
    """The kind of file, from its content: "pdf", "zip", "jpeg", "png" or "tiff". `filename`
    only sharpens the message when the content does not match its extension."""
    with path.open("rb") as fh:
        head = fh.read(1024)
    if not head:
        raise ScanError("empty")
    kind = _kind(head)
    if kind == "zip" and _is_office_document(path):
        raise ScanError(
            "unsupported",
            _("Đây là tài liệu Word, Excel hoặc OpenDocument, không phải bản scan."),
        )
    if kind:
        return kind
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF:
        raise ScanError(
            "unsupported",
            _("Ảnh HEIC/HEIF (điện thoại iPhone) chưa được nhận: hãy chuyển sang JPEG."),
        )
    if head.startswith(_OTHER_IMAGES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        raise ScanError(
            "unsupported", _("Định dạng ảnh này chưa được nhận: hãy dùng JPEG, PNG hoặc TIFF.")
        )
    claimed = _EXTENSIONS.get(Path(filename).suffix.lower())
    if claimed:
        # Typically a download that saved an error page under the expected name.
        raise ScanError(
            "unsupported",
            _("Tên tệp là %(kind)s nhưng nội dung không phải %(kind)s: hãy lấy lại tệp gốc.")
            % {"kind": _NAMES[claimed]},
        )
    raise ScanError("unsupported")


def _kind(head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(_TIFF):
        return "tiff"
    if b"%PDF-" in head:  # readers accept junk before the header, within the first 1 kB
        return "pdf"
    return ""


def _is_office_document(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist()[:50])
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # expand_zip reports the damage
    return "[Content_Types].xml" in names or "mimetype" in names
