"""The deliverable package of a register (SPEC §6): `<CODE>.xlsx` and `<CODE>.zip`.

`package_problems` lists what stands between a register and its release: records not keyed to
the end, records without a scan, scanned pages that belong to no record, a record count that
differs from the number of entries the register declares, file names that cannot be made or
collide. `package_build` writes both files anyway (so the office can look at what it has), checks
the written zip against the rows once more, and releases the package only when nothing is
wrong; otherwise it is recorded as blocked with its problems. Either way the build is a row with
who, when, sizes and SHA-256 checksums, and an audit event.

A case PDF is its record's current pages in link order, each page the single-page PDF made at
intake. A page above `COMPRESS_ABOVE` is brought down towards the Ministry's ~100 kB per A4
page by re-encoding its image at about 150 dpi (`LONG_SIDE`); a page already small is copied
byte for byte, and a case of one small page is its page file itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import re
import shutil
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pikepdf
import pypdfium2 as pdfium
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from hotich.accounts.models import User
from hotich.core.audit import audit_record
from hotich.core.jobs import job_enqueue
from hotich.core.models import Job
from hotich.records.models import MarginNote, Record
from hotich.records.schema import record_type
from hotich.registers.models import Register
from hotich.scans.models import PageLink, ScanPage
from hotich.scans.processing.base import fit
from hotich.scans.processing.imaging import encode_jpeg, flatten, image_pdf
from hotich.scans.processing.ordered import default_workers, ordered_map

# pdfium is not thread-safe: share the intake pipeline's lock.
from hotich.scans.processing.pdf import _PDFIUM as PDFIUM_LOCK
from hotich.scans.processing.pdf import sole_jpeg
from hotich.transfer.models import PackageBuild
from hotich.transfer.queries import transfer_can_export
from hotich.transfer.xlsx_write import write_ministry_xlsx

PACKAGE_BUILD = "transfer.package_build"
#: A blocked build keeps its files so the office can look at what it has.
DOWNLOADABLE = (PackageBuild.Status.RELEASED, PackageBuild.Status.BLOCKED)

TARGET_PAGE_BYTES = 100 * 1024  # the Ministry's "about 100 kB per A4 page"
COMPRESS_ABOVE = 150 * 1024  # a page PDF larger than this is re-encoded
LONG_SIDE = 1754  # px: A4 at 150 dpi, enough for handwriting
#: (long side, JPEG quality) tried in turn until a page is near the target; never below 1,600 px.
#: Encoding costs ~8 ms, resizing ~50: lower the quality first, the size last.
STEPS = ((LONG_SIDE, 70), (LONG_SIDE, 60), (LONG_SIDE, 50), (LONG_SIDE, 42), (1600, 38), (1600, 32))
_NEAR_TARGET = TARGET_PAGE_BYTES * 5 // 4
_NUMBER_IN_NAME = re.compile(r"^[0-9A-Za-z-]{1,20}$")
_PROGRESS_EVERY = 25

Progress = Callable[[int, int, str], None]


# ---- names ---------------------------------------------------------------------------------


def package_names(register: Register) -> tuple[str, str]:
    return f"{register.code}.xlsx", f"{register.code}.zip"


def case_filename(register: Register, number: str, date: dt.date) -> str:
    """`KS.2017.01.2017-02-03.05.pdf`: the register's code, the registration date, the number."""
    return f"{register.code}.{date:%Y-%m-%d}.{number}.pdf"


def _records(register: Register) -> list[Record]:
    """The register's records in the order of the register: by year, then number."""
    return list(
        register.records.order_by(
            F("registration_year").asc(nulls_last=True),
            F("number_sort").asc(nulls_last=True),
            "sequence",
            "id",
        )
    )


def _record_pages(register: Register) -> dict[int, list[str]]:
    """Record id -> storage names of its current pages' PDFs, in link order (one query)."""
    pages: dict[int, list[str]] = defaultdict(list)
    links = (
        PageLink.objects.filter(record__register=register, page__is_current=True)
        .order_by("record_id", "position", "page__sequence", "id")
        .values_list("record_id", "page__pdf")
    )
    for record_id, pdf in links:
        pages[record_id].append(pdf)
    return pages


# ---- the check -----------------------------------------------------------------------------


def _problem(kind: str, message: str, **ids: int) -> dict[str, Any]:
    return {"kind": kind, "message": message, **ids}


def _names(register: Register, records: list[Record]) -> dict[int, str]:
    """Record id -> case file name, for the records whose number and date make one."""
    return {
        r.pk: case_filename(register, r.number, r.registration_date)
        for r in records
        if r.registration_date and _NUMBER_IN_NAME.match(r.number)
    }


def _problems(
    register: Register, records: list[Record], pages: dict[int, list[str]]
) -> list[dict[str, Any]]:
    problems = []
    if not records:
        problems.append(_problem("empty", _("Sổ chưa có trường hợp nào.")))
    declared = register.declared_entries
    if declared is not None and declared != len(records):
        problems.append(
            _problem(
                "count",
                _("Sổ ghi %(declared)s trường hợp nhưng đã có %(records)s trường hợp.")
                % {"declared": declared, "records": len(records)},
            )
        )
    names = _names(register, records)
    taken = Counter(names.values())
    for r in records:
        label = str(r)
        if r.status not in (Record.Status.SUBMITTED, Record.Status.VERIFIED):
            problems.append(
                _problem(
                    "not_submitted",
                    _("%(record)s chưa nhập xong (%(status)s).")
                    % {"record": label, "status": r.get_status_display()},
                    record=r.pk,
                )
            )
        if not pages.get(r.pk):
            problems.append(
                _problem(
                    "no_scan", _("%(record)s chưa có bản scan.") % {"record": label}, record=r.pk
                )
            )
        if not r.number:
            problems.append(
                _problem(
                    "no_number",
                    _("%(record)s chưa có số đăng ký.") % {"record": label},
                    record=r.pk,
                )
            )
        elif not _NUMBER_IN_NAME.match(r.number):
            problems.append(
                _problem(
                    "bad_number",
                    _("%(record)s: số đăng ký “%(number)s” có ký tự không dùng được trong tên tệp.")
                    % {"record": label, "number": r.number},
                    record=r.pk,
                )
            )
        if r.registration_date is None:
            problems.append(
                _problem(
                    "no_date",
                    _("%(record)s chưa có ngày đăng ký đủ ngày, tháng, năm.") % {"record": label},
                    record=r.pk,
                )
            )
        name = names.get(r.pk)
        if name and taken[name] > 1:
            problems.append(
                _problem(
                    "duplicate_name",
                    _("%(record)s trùng tên tệp %(name)s với trường hợp khác (cùng số, cùng ngày).")
                    % {"record": label, "name": name},
                    record=r.pk,
                )
            )
    current = ScanPage.objects.filter(register=register, is_current=True).order_by("sequence")
    linked = PageLink.objects.filter(page=OuterRef("pk"))
    for page in current.exclude(Exists(linked)).only("pk", "sequence"):
        problems.append(
            _problem(
                "unlinked_page",
                _("Trang %(n)s chưa liên kết với trường hợp nào.") % {"n": page.sequence},
                page=page.pk,
            )
        )
    for page in current.filter(status=ScanPage.Status.RESCAN).only("pk", "sequence"):
        problems.append(
            _problem(
                "rescan",
                _("Trang %(n)s được đánh dấu cần scan lại.") % {"n": page.sequence},
                page=page.pk,
            )
        )
    return problems


def package_problems(register: Register) -> list[dict[str, Any]]:
    """What keeps the register's package from release, each {"kind", "message", ...ids}; [] when
    the package can be released."""
    records = _records(register)
    return _problems(register, records, _record_pages(register))


# ---- case PDFs -----------------------------------------------------------------------------


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        data: bytes = handle.read()
    return data


def _smaller_jpeg(im: Image.Image) -> tuple[bytes, tuple[int, int], str]:
    """The first of `STEPS` that comes near the target, else the last (the smallest); with its
    size and mode ("RGB" or "L")."""
    if im.format == "JPEG":
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale while that still leaves LONG_SIDE.
        im.draft(im.mode, fit(im.size, LONG_SIDE))
    im = flatten(im)
    out: tuple[bytes, tuple[int, int], str] = (b"", im.size, im.mode)
    for side, quality in STEPS:
        target = fit(im.size, side)
        if target != im.size:
            # Each size from the one before: a step down is cheaper than one from the original.
            im = im.resize(target, Image.Resampling.BICUBIC)
        out = (encode_jpeg(im, quality), im.size, im.mode)
        if len(out[0]) <= _NEAR_TARGET:
            break
    return out


def _replace_jpeg(page: pikepdf.Page, jpeg: bytes) -> bool:
    """Put a smaller version of the page's one JPEG in its place; False if it is not smaller."""
    images = list(page.get_images(recursive=False).values())
    if len(images) != 1:
        return False
    image = images[0]
    with Image.open(io.BytesIO(jpeg)) as im:
        data, (width, height), _mode = _smaller_jpeg(im)
    if len(data) >= len(jpeg):
        return False
    image.write(data, filter=pikepdf.Name.DCTDecode)
    image.Width, image.Height = width, height
    return True


def _rendered(data: bytes) -> bytes:
    """A page that is not one JPEG (several images, a lossless scan), as one JPEG page."""
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(data)
        try:
            page = doc[0]
            try:
                width, height = page.get_size()  # points, page rotation applied
                bitmap = page.render(scale=LONG_SIDE / max(width, height, 1.0))
                try:
                    im = bitmap.to_pil().copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            doc.close()
    jpeg, size, mode = _smaller_jpeg(im)
    colour = "DeviceGray" if mode == "L" else "DeviceRGB"
    # The same page size in points as the original: dpi from the rendered pixels.
    return image_pdf(jpeg, size=size, colour=colour, dpi=max(size) * 72 / max(width, height, 1.0))


def compress_page_pdf(data: bytes) -> bytes:
    """A single-page PDF brought towards ~100 kB; returned unchanged when small, or when the
    result would not be smaller."""
    if len(data) <= COMPRESS_ABOVE:
        return data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        try:
            found = sole_jpeg(page)
        except (TypeError, ValueError, AttributeError, KeyError):
            found = None
        if found is not None and _replace_jpeg(page, found[0]):
            buf = io.BytesIO()
            pdf.save(buf, deterministic_id=True)
            smaller = buf.getvalue()
        elif found is None:
            smaller = _rendered(data)
        else:
            smaller = data
    return smaller if len(smaller) < len(data) else data


def case_pdf_from(page_pdfs: list[bytes]) -> tuple[bytes, int]:
    """One PDF of the given single-page PDFs, in order, each compressed if large; and its page
    count."""
    if len(page_pdfs) == 1 and len(page_pdfs[0]) <= COMPRESS_ABOVE:
        return page_pdfs[0], 1
    out = pikepdf.Pdf.new()
    with contextlib.ExitStack() as stack:
        for data in page_pdfs:
            src = stack.enter_context(pikepdf.open(io.BytesIO(compress_page_pdf(data))))
            out.pages.extend(src.pages)
        buf = io.BytesIO()
        out.save(buf, deterministic_id=True)
    return buf.getvalue(), len(out.pages)


def case_pdf(record: Record) -> bytes:
    """The record's case PDF: its current linked pages, in order."""
    names = _record_pages(record.register).get(record.pk, [])
    if not names:
        raise ValidationError(_("%(record)s chưa có bản scan.") % {"record": record})
    return case_pdf_from([_read(name) for name in names])[0]


# ---- the build -----------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _store(path: Path, name: str, written: list[str]) -> str:
    with path.open("rb") as handle:
        stored = default_storage.save(name, File(handle))
    written.append(stored)
    return stored


def _named_case(item: tuple[str, list[bytes]]) -> tuple[str, bytes, int]:
    name, page_pdfs = item
    return (name, *case_pdf_from(page_pdfs))


def _write_zip(
    path: Path,
    cases: list[tuple[str, list[str]]],
    progress: Progress | None,
) -> int:
    """Write one PDF per case; returns the number of pages in the zip.

    Files are read here, on the calling thread (storage may be a bucket client); the cases are
    made on worker threads, a few ahead, since re-encoding a large page is pixel work that
    releases the GIL (each thread has its own pikepdf documents; pdfium is locked).
    """
    stamp = timezone.localtime().timetuple()[:6]
    pages = 0
    read = ((name, [_read(blob) for blob in blobs]) for name, blobs in cases)
    made = ordered_map(_named_case, read, default_workers())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for done, (name, data, count) in enumerate(made, start=1):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED
            zf.writestr(info, data)
            pages += count
            if progress and (done % _PROGRESS_EVERY == 0 or done == len(cases)):
                progress(
                    done,
                    len(cases) + 1,
                    _("Đang gộp bản scan: %(done)s / %(total)s trường hợp")
                    % {"done": done, "total": len(cases)},
                )
    return pages


def _verify(path: Path, expected: list[str], rows: int, records: int) -> list[dict[str, Any]]:
    """The written zip against the rows: a PDF per named row, a row per PDF, readable data."""
    problems = []
    with zipfile.ZipFile(path) as zf:
        members = zf.namelist()
        bad = zf.testzip()
    if bad is not None:
        problems.append(_problem("integrity", _("Tệp %(name)s trong gói bị hỏng.") % {"name": bad}))
    for name in sorted(set(expected) - set(members)):
        problems.append(
            _problem("integrity", _("Gói thiếu tệp %(name)s của một dòng.") % {"name": name})
        )
    for name in sorted(set(members) - set(expected)):
        problems.append(
            _problem(
                "integrity", _("Tệp %(name)s trong gói không ứng với dòng nào.") % {"name": name}
            )
        )
    if rows != records:
        problems.append(
            _problem(
                "integrity",
                _("Tệp Excel có %(rows)s dòng, sổ có %(records)s trường hợp.")
                % {"rows": rows, "records": records},
            )
        )
    return problems


def _build(
    build: PackageBuild, register: Register, progress: Progress | None, written: list[str]
) -> dict[str, Any]:
    records = _records(register)
    pages = _record_pages(register)
    problems = _problems(register, records, pages)
    names = _names(register, records)
    taken = Counter(names.values())
    cases = [
        (names[r.pk], pages[r.pk])
        for r in records
        if r.pk in names and taken[names[r.pk]] == 1 and pages.get(r.pk)
    ]
    xlsx_name, zip_name = package_names(register)
    prefix = f"packages/{register.pk}/{build.pk}"
    with tempfile.TemporaryDirectory(prefix="hotich-package-") as tmp:
        xlsx_path, zip_path = Path(tmp) / xlsx_name, Path(tmp) / zip_name
        if progress:
            progress(0, len(cases) + 1, _("Đang tạo tệp Excel"))
        rows = write_ministry_xlsx(
            record_type(register.register_type), (r.data for r in records), xlsx_path
        )
        page_count = _write_zip(zip_path, cases, progress)
        problems += _verify(zip_path, [name for name, _blobs in cases], rows, len(records))
        return {
            "status": PackageBuild.Status.BLOCKED if problems else PackageBuild.Status.RELEASED,
            "problems": problems,
            "cases": rows,
            "pages": page_count,
            "xlsx_name": xlsx_name,
            "xlsx_sha256": _sha256(xlsx_path),
            "xlsx_size": xlsx_path.stat().st_size,
            "xlsx_blob": _store(xlsx_path, f"{prefix}/{xlsx_name}", written),
            "zip_name": zip_name,
            "zip_sha256": _sha256(zip_path),
            "zip_size": zip_path.stat().st_size,
            "zip_blob": _store(zip_path, f"{prefix}/{zip_name}", written),
        }


def package_out_of_date(build: PackageBuild, register: Register) -> bool:
    """Built before the register's data last changed: not the data there are now."""
    changed = register.data_changed_at
    return changed is not None and build.built_at < changed


def package_changes_since(build: PackageBuild, register: Register) -> list[str]:
    """What changed in the register since the build, in sentences ([] when it is up to date)."""
    if not package_out_of_date(build, register):
        return []
    since = build.built_at
    changes = []
    numbers = list(
        Record.objects.filter(register=register, updated_at__gt=since)
        .order_by("number_sort", "number", "pk")
        .values_list("number", flat=True)[:11]
    )
    if numbers:
        shown = ", ".join(n or "?" for n in numbers[:10]) + (", …" if len(numbers) > 10 else "")
        changes.append(_("Trường hợp được thêm hoặc sửa: số %(numbers)s.") % {"numbers": shown})
    notes = list(
        MarginNote.objects.filter(record__register=register, created_at__gt=since)
        .order_by("pk")
        .values_list("record__number", flat=True)[:11]
    )
    if notes:
        shown = ", ".join(n or "?" for n in notes[:10]) + (", …" if len(notes) > 10 else "")
        changes.append(_("Ghi chú bên lề mới ở trường hợp số %(numbers)s.") % {"numbers": shown})
    pages = ScanPage.objects.filter(register=register, created_at__gt=since).count()
    if pages:
        changes.append(_("%(n)s trang scan mới hoặc scan lại.") % {"n": pages})
    if not changes:
        changes.append(
            _("Bản scan, liên kết trang hoặc trường hợp của sổ đã thay đổi lúc %(when)s.")
            % {"when": timezone.localtime(register.data_changed_at).strftime("%H:%M %d/%m/%Y")}
        )
    return changes


def _check(actor: User, register: Register) -> None:
    if not transfer_can_export(actor, register):
        raise PermissionDenied(_("Chỉ quản trị của đơn vị lưu giữ sổ được tạo gói bàn giao."))


def package_build(
    *,
    actor: User,
    register: Register,
    build: PackageBuild | None = None,
    progress: Progress | None = None,
) -> PackageBuild:
    """Build, check and record the register's package now; released only when nothing is wrong.

    `build` is the row `package_start` made for a background build; without it one is made here
    (the command line). Files of a build that fails half-way are removed again.
    """
    _check(actor, register)
    if build is None:
        build = PackageBuild.objects.create(register=register, built_by=actor)
    written: list[str] = []
    try:
        fields = _build(build, register, progress, written)
    except Exception as exc:
        for name in written:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        with transaction.atomic():
            PackageBuild.objects.filter(pk=build.pk).update(
                status=PackageBuild.Status.FAILED,
                problems=[_problem("error", str(exc) or exc.__class__.__name__)],
            )
            audit_record(
                actor=actor,
                action="transfer.package_failed",
                obj=build,
                office_path=register.custodian.path,
                after={"register": register.pk, "error": str(exc) or exc.__class__.__name__},
            )
        raise
    with transaction.atomic():
        # Only a package of the data as they are can be released: a record keyed, a scan
        # linked or a margin note added while it was being built makes it out of date at once.
        current = Register.objects.select_for_update().get(pk=register.pk)
        if fields["status"] == PackageBuild.Status.RELEASED and package_out_of_date(build, current):
            fields["status"] = PackageBuild.Status.BLOCKED
            fields["problems"] = [
                *fields["problems"],
                _problem(
                    "changed",
                    _("Dữ liệu của sổ đã thay đổi trong lúc tạo gói: hãy tạo lại gói."),
                ),
            ]
        PackageBuild.objects.filter(pk=build.pk).update(**fields)
        build.refresh_from_db()
        audit_record(
            actor=actor,
            action="transfer.package_build",
            obj=build,
            office_path=register.custodian.path,
            after={
                "register": register.pk,
                "status": build.status,
                "cases": build.cases,
                "pages": build.pages,
                "xlsx": {
                    "name": build.xlsx_name,
                    "sha256": build.xlsx_sha256,
                    "size": build.xlsx_size,
                },
                "zip": {"name": build.zip_name, "sha256": build.zip_sha256, "size": build.zip_size},
                "problems": len(build.problems),
            },
        )
    if progress:
        message = (
            _("Xong: gói đã kiểm tra, sẵn sàng bàn giao.")
            if build.status == PackageBuild.Status.RELEASED
            else _("Xong: gói chưa đạt, có %(n)s vấn đề.") % {"n": len(build.problems)}
        )
        progress(build.cases + 1, build.cases + 1, message)
    return build


@transaction.atomic
def package_start(*, actor: User, register: Register) -> PackageBuild:
    """Record a build and hand it to a background job; the page follows the job's progress."""
    _check(actor, register)
    Register.objects.select_for_update().filter(pk=register.pk).first()
    running = register.packages.filter(
        status=PackageBuild.Status.BUILDING, job__status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    )
    if running.exists():
        raise ValidationError(_("Đang tạo một gói cho sổ này; hãy chờ xong."))
    build = PackageBuild.objects.create(register=register, built_by=actor)
    job = job_enqueue(kind=PACKAGE_BUILD, args={"build": build.pk}, user=actor)
    # Only the job column: in immediate mode the job has already filled in the rest.
    PackageBuild.objects.filter(pk=build.pk).update(job=job)
    build.refresh_from_db()
    return build


def package_open(*, actor: User, build: PackageBuild, kind: str) -> tuple[IO[bytes], str]:
    """One file of a build ("xlsx" or "zip"), opened, with its package name; the download of a
    whole register's data is written to the audit trail."""
    register = build.register
    _check(actor, register)
    if kind not in ("xlsx", "zip") or build.status not in DOWNLOADABLE:
        raise ValidationError(_("Gói này không có tệp để tải về."))
    blob = build.xlsx_blob if kind == "xlsx" else build.zip_blob
    name = build.xlsx_name if kind == "xlsx" else build.zip_name
    if not blob:
        raise ValidationError(_("Gói này không có tệp để tải về."))
    handle = default_storage.open(blob, "rb")
    audit_record(
        actor=actor,
        action="transfer.package_download",
        obj=build,
        office_path=register.custodian.path,
        after={"register": register.pk, "file": name, "status": build.status},
    )
    return handle, name


def package_copy(build: PackageBuild, folder: Path) -> list[Path]:
    """Copy a build's two files into `folder` under their package names."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for blob, name in ((build.xlsx_blob, build.xlsx_name), (build.zip_blob, build.zip_name)):
        target = folder / name
        with default_storage.open(blob, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        out.append(target)
    return out
