"""What every step shares: the error the caller shows, the page it gets back, the limits.

The limits keep any one file, whatever it holds, well inside 1 GB of memory and a bounded
number of pages: each is checked against what the file declares (header, page tree, zip
directory) before anything is decoded or written, and against what is actually read where a
declaration can lie. `docs/configuration.md` lists them with their reasons.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pikepdf
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdfium2 import PdfiumError

from hotich.core.errors import UserFacingError

VIEW_MAX = 2000  # px, long side of the viewer image
THUMB_MAX = 240  # px, long side of the thumbnail
MAX_PAGES = 5000  # per file, and in total per zip: a whole register is a few hundred pages
#: Memory that decoding one image and its working copies may take: measured peaks stay under
#: 1 GB for the worst files within it (bench notes in tests/scans/test_limits.py).
IMAGE_MEMORY = 640 * 1024**2

CODES = ("empty", "corrupt", "encrypted", "unsupported", "too_large", "unsafe")

# Messages are lazy: a page may fail on a worker thread, and the sentence must come out in the
# language of whoever prints it, which is the job's thread, not the worker's.
MESSAGES: dict[str, Promise] = {
    "empty": _("Tệp rỗng, không có nội dung."),
    "corrupt": _("Tệp bị hỏng, không đọc được."),
    "encrypted": _("Tệp được đặt mật khẩu: hãy gỡ mật khẩu rồi tải lên lại."),
    "unsupported": _(
        "Không nhận dạng được loại tệp: chỉ nhận PDF, ảnh JPEG, PNG, TIFF hoặc tệp nén ZIP."
    ),
    "too_large": _("Tệp quá lớn, không xử lý được."),
    "unsafe": _("Tệp nén ZIP không an toàn, không giải nén."),
}
PDF_CORRUPT = _("Tệp PDF bị hỏng, không đọc được.")
PDF_ENCRYPTED = _("Tệp PDF được đặt mật khẩu: hãy gỡ mật khẩu rồi tải lên lại.")
PDF_EMPTY = _("Tệp PDF không có trang nào.")
IMAGE_CORRUPT = _("Tệp ảnh bị hỏng hoặc chưa tải lên đủ, không đọc được.")


class ScanError(UserFacingError):
    """A file the user must fix; `str(exc)` is the sentence to show (the caller adds the name)."""

    def __init__(self, code: str, message: str | Promise | None = None) -> None:
        if code not in CODES:
            raise ValueError(f"unknown scan error code {code!r}")
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message if self.message is not None else MESSAGES[self.code])


@dataclass
class PageOutput:
    index: int  # 0-based page index within the source file
    pdf: bytes  # a single-page PDF of the page
    image: bytes  # viewer JPEG, long side <= VIEW_MAX
    image_size: tuple[int, int]
    thumb: bytes  # JPEG, long side <= THUMB_MAX
    sha256: str  # of `image`


# What the libraries raise on bad input. Not TypeError, KeyError or AttributeError: those are
# bugs here and must surface as such.
_BAD_INPUT = (
    pikepdf.PdfError,
    PdfiumError,
    OSError,  # Pillow: truncated or undecodable data
    SyntaxError,  # Pillow: malformed headers
    EOFError,
    ValueError,
    struct.error,
    zlib.error,
)
# Pillow's file parsers also raise these on malformed files (a TIFF frame without its width
# is a TypeError): caught only around the calls that parse or decode a file, see `decoding`.
_PARSER_BAD_INPUT = (TypeError, KeyError, IndexError, ZeroDivisionError, OverflowError)
_ENVIRONMENT = (FileNotFoundError, PermissionError, IsADirectoryError)


@contextmanager
def reading(corrupt: str | Promise, encrypted: str | Promise = PDF_ENCRYPTED) -> Iterator[None]:
    """Turn the libraries' complaints about a file into a ScanError with `corrupt` as message."""
    try:
        yield
    except ScanError:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow's own guard, past every limit of ours that a header could be checked against.
        most = millions(2 * (Image.MAX_IMAGE_PIXELS or 0))
        raise ScanError(
            "too_large", _("Ảnh có hơn %(max)s triệu điểm ảnh, quá lớn để xử lý.") % {"max": most}
        ) from exc
    except MemoryError as exc:  # a limit below let something through: refuse, do not crash
        raise ScanError("too_large") from exc
    except pikepdf.PasswordError as exc:
        raise ScanError("encrypted", encrypted) from exc
    except _ENVIRONMENT:
        raise
    except _BAD_INPUT as exc:
        raise ScanError("corrupt", corrupt) from exc


@contextmanager
def decoding(corrupt: str | Promise) -> Iterator[None]:
    """`reading`, around a call into a file parser only (open, seek, load): there, any of the
    errors Pillow's parsers raise on a malformed file means the file is damaged."""
    with reading(corrupt):
        try:
            yield
        except _PARSER_BAD_INPUT as exc:
            raise ScanError("corrupt", corrupt) from exc


def pillow_bytes(mode: str) -> int:
    """Bytes a pixel of `mode` takes in Pillow's memory: "1", "L" and "P" one, 16-bit grey
    two, every other mode (RGB too) four."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def millions(n: float) -> str:
    """A pixel count in millions for a message: "69", "0,5"."""
    text = f"{n / 1e6:.1f}" if n < 10e6 else f"{n / 1e6:.0f}"
    return text.removesuffix(".0").replace(".", ",")


def fit(size: tuple[int, int], limit: int) -> tuple[int, int]:
    """`size` scaled down (never up) so that its long side is at most `limit`."""
    w, h = size
    scale = min(1.0, limit / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))
