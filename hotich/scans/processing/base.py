"""What every step shares: the error the caller shows, the page it gets back, the limits."""

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

VIEW_MAX = 2000  # px, long side of the viewer image
THUMB_MAX = 240  # px, long side of the thumbnail
MAX_PIXELS = 150_000_000  # per image; a 50-megapixel phone photo is 50,000,000
MAX_PAGES = 5000

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


class ScanError(Exception):
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
_ENVIRONMENT = (FileNotFoundError, PermissionError, IsADirectoryError)


@contextmanager
def reading(corrupt: str | Promise, encrypted: str | Promise = PDF_ENCRYPTED) -> Iterator[None]:
    """Turn the libraries' complaints about a file into a ScanError with `corrupt` as message."""
    try:
        yield
    except ScanError:
        raise
    except Image.DecompressionBombError as exc:
        raise ScanError("too_large", _("Ảnh quá lớn, không xử lý được.")) from exc
    except pikepdf.PasswordError as exc:
        raise ScanError("encrypted", encrypted) from exc
    except _ENVIRONMENT:
        raise
    except _BAD_INPUT as exc:
        raise ScanError("corrupt", corrupt) from exc


def fit(size: tuple[int, int], limit: int) -> tuple[int, int]:
    """`size` scaled down (never up) so that its long side is at most `limit`."""
    w, h = size
    scale = min(1.0, limit / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))
