"""A data disk that fills up while a scan's pages are being cut: the file fails with a sentence
saying so (not "lỗi không mong đợi"), and no page file it wrote is left behind."""

from __future__ import annotations

from django.core.files.storage import default_storage

from hotich.core.storage import DiskFull
from hotich.scans.models import ScanFile, ScanPage
from hotich.scans.services import scan_batch_create
from tests.scans import samples


def test_a_full_disk_while_cutting_pages_fails_the_file_and_keeps_no_page(
    register, users, tmp_path, monkeypatch
):
    path = samples.make_case_pdf(tmp_path / "so.pdf", pages=3)
    saved: list[str] = []
    real_save = default_storage.save

    def save(name, content, *args, **kwargs):
        if name.startswith("scans/") and len(saved) >= 2:
            raise DiskFull(name)
        stored = real_save(name, content, *args, **kwargs)
        if name.startswith("scans/"):
            saved.append(stored)
        return stored

    default_storage.exists("x")  # the lazy storage set up, so its instance can be patched
    monkeypatch.setattr(default_storage._wrapped, "save", save)
    with path.open("rb") as handle:
        scan_batch_create(actor=users["unit_admin"], register=register, files=[("so.pdf", handle)])
    scan_file = ScanFile.objects.get(register=register)
    assert scan_file.status == ScanFile.Status.FAILED
    assert "ổ đĩa dữ liệu đã đầy" in scan_file.message and "so.pdf" in scan_file.message
    assert "không mong đợi" not in scan_file.message
    assert saved and not any(default_storage.exists(name) for name in saved)
    assert not ScanPage.objects.filter(register=register).exists()
