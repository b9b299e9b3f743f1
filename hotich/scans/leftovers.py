"""Where a scan file's products are stored, and removing what an unfinished run left there.

Every file a job writes for a `ScanFile` lies under a folder of that row alone: its pages under
`page_prefix`, the files of a zip under `zip_prefix`, its original under `originals/` (shared by
content, so kept while any row refers to it). Whatever lies there that no row refers to was left
by a run that did not finish, and nothing else will ever refer to it.
"""

from __future__ import annotations

import contextlib
import logging

from django.core.files.storage import default_storage

from hotich.scans.models import ScanFile, ScanPage

log = logging.getLogger(__name__)


def page_prefix(scan_file: ScanFile) -> str:
    return f"scans/r{scan_file.register_id}/f{scan_file.pk}"


def zip_prefix(scan_file: ScanFile) -> str:
    return f"incoming/{scan_file.register_id}/z{scan_file.pk}"


def _stored_under(prefix: str) -> list[str]:
    try:
        _dirs, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [f"{prefix}/{name}" for name in files]


def file_leftovers_remove(scan_file: ScanFile, *, keep_original: bool = True) -> int:
    """Remove the page files and zip members stored for `scan_file` that no row refers to,
    and, unless `keep_original`, its original when no row refers to that either. Returns how
    many files went."""
    pages = ScanPage.objects.filter(source=scan_file)
    referenced = {
        name for row in pages.values_list("pdf", "image", "thumb") for name in row if name
    }
    referenced |= set(
        ScanFile.objects.filter(parent=scan_file)
        .exclude(incoming="")
        .values_list("incoming", flat=True)
    )
    doomed = [
        name
        for prefix in (page_prefix(scan_file), zip_prefix(scan_file))
        for name in _stored_under(prefix)
        if name not in referenced
    ]
    if not keep_original and scan_file.sha256:
        doomed += _unreferenced_originals(scan_file)
    for name in doomed:
        with contextlib.suppress(OSError):
            default_storage.delete(name)
    if doomed:
        log.info("scan file %s: removed %s files of an unfinished run", scan_file.pk, len(doomed))
    return len(doomed)


def _unreferenced_originals(scan_file: ScanFile) -> list[str]:
    """The originals stored for this content, unless another row of the same content uses one
    or may still come to (another upload of it being processed right now)."""
    others = (
        ScanFile.objects.filter(sha256=scan_file.sha256)
        .exclude(pk=scan_file.pk)
        .exclude(status=ScanFile.Status.FAILED)
    )
    if others.exists():
        return []
    folder = f"originals/{scan_file.sha256[:2]}"
    return [n for n in _stored_under(folder) if n.rsplit("/", 1)[-1].startswith(scan_file.sha256)]
