"""Every write of the scans capability: receiving files, turning them into pages, linking pages
to records, marking and replacing pages.

Receiving is quick (the files are stored as they came and a job is queued); the job then runs
each file through small ordered steps — checksum and duplicate check, type and page count, page
files (single-page PDF, viewer image, thumbnail), linking by file name — recording the step and
any failure on the file's row, so one bad file never stops the others. Page rows and their links
are created in one short transaction per file at the end, so a job killed halfway leaves no
half-made pages and is simply run again.

Files are written only under names that belong to one row — page files under
`scans/r<register>/f<file>/`, a zip's files under `incoming/<register>/z<zip>/` — so that a run
cut short (the worker killed) leaves nothing that cannot be found: a re-run first removes what
its unfinished files wrote, and a job abandoned for good removes it and fails its batch with
the reason (`scan_batch_abandon`, the job's `on_abandon`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from hotich.accounts.models import User
from hotich.core.audit import audit_record
from hotich.core.jobs import job_enqueue
from hotich.core.models import Job
from hotich.core.storage import is_disk_full
from hotich.records.models import Record
from hotich.records.services import record_create_placeholder
from hotich.registers.domain import Status as RegisterStatus
from hotich.registers.models import Register
from hotich.registers.services import RegisterFrozen, register_follow_work, register_lock_writable
from hotich.scans import leftovers, processing
from hotich.scans.models import PageLink, ScanBatch, ScanFile, ScanPage
from hotich.scans.naming import impossible_date, parse_case_filename, volume_matches
from hotich.scans.queries import scan_can_review, scan_can_upload

log = logging.getLogger(__name__)
PROCESS_BATCH = "scans.process_batch"


def _check_upload(actor: User, register: Register) -> None:
    if not scan_can_upload(actor, register):
        raise PermissionDenied(_("Bạn không được giao scan hoặc nhập liệu sổ này."))


# ---- receiving ---------------------------------------------------------------------------


def scan_max_bytes() -> int:
    """The largest file a person may send as a scan (`HOTICH_SCAN_MAX_MB`)."""
    return int(getattr(settings, "HOTICH_SCAN_MAX_MB", 2048)) * 1024**2


def scan_size_refusal(name: str, size: int) -> str | None:
    """The sentence refusing a file of `size` bytes, or None when it is within the limit."""
    limit = scan_max_bytes()
    if size <= limit:
        return None
    return _("%(name)s: tệp %(size)s MB, quá giới hạn %(max)s MB một tệp: hãy chia nhỏ.") % {
        "name": name,
        "size": f"{size / 1024**2:,.0f}".replace(",", "."),
        "max": limit // 1024**2,
    }


def _stream_size(stream: IO[bytes]) -> int | None:
    size = getattr(stream, "size", None)
    if isinstance(size, int):
        return size
    try:
        start = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(start)
    except (AttributeError, OSError, ValueError):
        return None
    return end - start


@transaction.atomic
def scan_batch_create(
    *,
    actor: User,
    register: Register,
    files: Iterable[tuple[str, IO[bytes]]],
    source: str = "web",
) -> ScanBatch:
    """Store the files as received and queue their processing; returns at once.

    A file over the size limit is not stored: its row says why, and the others go on."""
    _check_upload(actor, register)
    locked = register_lock_writable(register)
    batch = ScanBatch.objects.create(register=register, created_by=actor, source=source)
    names = []
    stored_any = False
    for name, stream in files:
        base = Path(name).name
        names.append(base)
        row = ScanFile(
            register=register,
            batch=batch,
            original_name=base[:255],
            uploaded_by=actor,
        )
        size = _stream_size(stream)
        refusal = scan_size_refusal(base, size) if size is not None else None
        if refusal is None:
            clean = get_valid_filename(base) or "scan"
            row.incoming = default_storage.save(
                f"incoming/{register.pk}/{uuid.uuid4().hex}-{clean}", File(stream)
            )
            row.size = default_storage.size(row.incoming)
            refusal = scan_size_refusal(base, row.size)  # a stream that would not say
            if refusal is not None:
                default_storage.delete(row.incoming)
                row.incoming = ""
        if refusal is None:
            stored_any = True
        else:
            row.size = size or 0
            row.status, row.step, row.message = (
                ScanFile.Status.FAILED,
                ScanFile.Step.RECEIVED,
                refusal,
            )
        row.save()
    if not names:
        raise ValidationError(_("Chưa chọn tệp nào."))
    if stored_any:
        register_follow_work(
            actor=actor,
            register=locked,
            to=RegisterStatus.SCANNING,
            reason=_("Đã bắt đầu tải bản scan của sổ."),
        )
    audit_record(
        actor=actor,
        action="scans.upload",
        obj=register,
        office_path=register.custodian.path,
        after={"batch": batch.pk, "files": names, "source": source},
    )
    if not stored_any:
        ScanBatch.objects.filter(pk=batch.pk).update(status=ScanBatch.Status.DONE)
        batch.status = ScanBatch.Status.DONE
        return batch
    batch.job = job_enqueue(kind=PROCESS_BATCH, args={"batch": batch.pk}, user=actor)
    batch.save(update_fields=["job"])
    batch.refresh_from_db(fields=["status", "message"])
    return batch


def scan_batch_process(batch: ScanBatch, progress: Callable[..., None] | None = None) -> dict:
    """Run every waiting file of a batch (zips add their members as they open).

    A file left "processing" was cut short in an earlier run of this job: what it wrote is
    removed first, so that nothing is orphaned when it is done again."""
    for unfinished in batch.files.filter(status=ScanFile.Status.PROCESSING):
        leftovers.file_leftovers_remove(unfinished)
    done = 0
    while True:
        waiting = batch.files.filter(
            status__in=[ScanFile.Status.QUEUED, ScanFile.Status.PROCESSING]
        ).order_by("id")
        scan_file = waiting.first()
        if scan_file is None:
            break
        total = batch.files.count()
        tick = None
        if progress:
            progress(done, total, scan_file.original_name)
            tick = lambda d=done, t=total, n=scan_file.original_name: progress(d, t, n)  # noqa: E731
        scan_file_process(scan_file, tick=tick)
        done += 1
    counts = {s: batch.files.filter(status=s).count() for s in ScanFile.Status.values}
    pages = ScanPage.objects.filter(source__batch=batch).count()
    ScanBatch.objects.filter(pk=batch.pk, status=ScanBatch.Status.PROCESSING).update(
        status=ScanBatch.Status.DONE
    )
    if progress:
        progress(done, done, _("Xong: %(n)s trang") % {"n": pages})
    return {"files": counts, "pages": pages}


def scan_batch_abandon(job: Job) -> None:
    """The batch's job ended without finishing (cancelled, crashed for good, or failed):
    its unfinished files fail with the job's reason and what they wrote is removed. Safe to
    run again."""
    batch = ScanBatch.objects.filter(pk=job.args.get("batch")).first()
    if batch is None:
        return
    reason = job.message or _("Tác vụ xử lý đã dừng trước khi xong.")
    unfinished = batch.files.filter(status__in=[ScanFile.Status.QUEUED, ScanFile.Status.PROCESSING])
    for scan_file in unfinished:
        leftovers.file_leftovers_remove(scan_file, keep_original=False)
        _fail(
            scan_file,
            _("%(name)s: chưa xử lý xong: %(reason)s")
            % {"name": scan_file.original_name, "reason": reason},
        )
    ScanBatch.objects.filter(pk=batch.pk).exclude(status=ScanBatch.Status.FAILED).update(
        status=ScanBatch.Status.FAILED, message=reason[:500]
    )


# ---- one file, step by step ---------------------------------------------------------------


def _set(scan_file: ScanFile, **fields: Any) -> None:
    for key, value in fields.items():
        setattr(scan_file, key, value)
    ScanFile.objects.filter(pk=scan_file.pk).update(**fields)


def _fail(scan_file: ScanFile, message: str) -> None:
    _set(scan_file, status=ScanFile.Status.FAILED, message=message[:500])
    _discard_incoming(scan_file)


def _discard_incoming(scan_file: ScanFile) -> None:
    if scan_file.incoming:
        with contextlib.suppress(OSError):
            default_storage.delete(scan_file.incoming)
        _set(scan_file, incoming="")


@contextlib.contextmanager
def _local_copy(name: str, suffix: str) -> Iterator[tuple[Path, Path]]:
    """Processing libraries need a real file; storage may be a bucket."""
    with tempfile.TemporaryDirectory(prefix="hotich-scan-") as tmp:
        path = Path(tmp) / f"source{suffix}"
        with default_storage.open(name, "rb") as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        yield path, Path(tmp)


def scan_file_process(scan_file: ScanFile, *, tick: Callable[[], None] | None = None) -> ScanFile:
    """Run one file through its steps. `tick` is called every few pages: a job's progress,
    which stops the job there when it was cancelled (what this file wrote is then removed)."""
    _set(scan_file, status=ScanFile.Status.PROCESSING, step=ScanFile.Step.CHECKSUM, message="")
    if not scan_file.incoming:
        _fail(scan_file, _("Tệp đã nhận không còn trên máy chủ; hãy tải lên lại."))
        return scan_file
    suffix = Path(scan_file.original_name).suffix.lower()[:8]
    written: list[str] = []
    try:
        with _local_copy(scan_file.incoming, suffix) as (path, tmp):
            _process_local(scan_file, path, tmp, written, tick)
    except (processing.ScanError, RegisterFrozen) as exc:
        # Frozen: the register was accepted between the upload and its processing.
        _cleanup(written)
        _fail(scan_file, f"{scan_file.original_name}: {exc}")
    except Exception as exc:
        _cleanup(written)
        if is_disk_full(exc):
            log.error("disk full while processing scan file %s", scan_file.pk)
            _fail(
                scan_file,
                _(
                    "%(name)s: ổ đĩa dữ liệu đã đầy khi tách trang, chưa lưu trang nào. Hãy báo "
                    "quản trị viên giải phóng chỗ trống rồi tải tệp lên lại."
                )
                % {"name": scan_file.original_name},
            )
        else:
            log.exception("scan file %s failed", scan_file.pk)
            _fail(
                scan_file,
                _("%(name)s: lỗi không mong đợi khi xử lý (%(err)s).")
                % {"name": scan_file.original_name, "err": exc.__class__.__name__},
            )
    except BaseException:
        _cleanup(written)  # the job is being stopped: leave nothing behind, then stop
        raise
    return scan_file


def _cleanup(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def _process_local(
    scan_file: ScanFile,
    path: Path,
    tmp: Path,
    written: list[str],
    tick: Callable[[], None] | None = None,
) -> None:
    register = scan_file.register
    sha = processing.sha256_file(path)
    _set(scan_file, sha256=sha, size=path.stat().st_size)
    earlier = (
        ScanFile.objects.filter(register=register, sha256=sha, status=ScanFile.Status.DONE)
        .exclude(pk=scan_file.pk)
        .first()
    )
    if earlier is not None:
        _set(
            scan_file,
            status=ScanFile.Status.DUPLICATE,
            step=ScanFile.Step.FINISHED,
            duplicate_of=earlier,
            message=_("Trùng nội dung với tệp “%(name)s” đã tải lên ngày %(date)s: không lưu lại.")
            % {"name": earlier.original_name, "date": f"{earlier.uploaded_at:%d/%m/%Y}"},
        )
        _discard_incoming(scan_file)
        return

    kind = processing.sniff(path, scan_file.original_name)
    _set(scan_file, kind=kind, step=ScanFile.Step.COUNT)
    if kind == "zip":
        _open_zip(scan_file, path, tmp, written)
        return
    count = processing.page_count(path, kind)
    _set(scan_file, page_count=count, step=ScanFile.Step.PAGES)

    prefix = leftovers.page_prefix(scan_file)
    made: list[ScanPage] = []
    for page in processing.iter_pages(path, kind):
        base = f"{prefix}/p{page.index + 1:04d}"
        pdf = default_storage.save(f"{base}.pdf", ContentFile(page.pdf))
        written.append(pdf)
        image = default_storage.save(f"{base}.jpg", ContentFile(page.image))
        written.append(image)
        thumb = default_storage.save(f"{base}-t.jpg", ContentFile(page.thumb))
        written.append(thumb)
        made.append(
            ScanPage(
                register=register,
                source=scan_file,
                source_index=page.index,
                sequence=0,
                pdf=pdf,
                image=image,
                thumb=thumb,
                width=page.image_size[0],
                height=page.image_size[1],
                sha256=page.sha256,
            )
        )
        if len(made) % 10 == 0:
            _set(scan_file, pages_done=len(made))
            if tick is not None:
                tick()
    if not made:
        raise processing.ScanError("empty", _("Tệp không có trang nào."))

    original = f"originals/{sha[:2]}/{sha}{suffix_for(kind)}"
    if not default_storage.exists(original):
        with path.open("rb") as fh:
            original = default_storage.save(original, File(fh))
        written.append(original)
    _set(scan_file, step=ScanFile.Step.LINK, pages_done=len(made))
    earlier = _commit_pages(scan_file, made, original)
    if earlier is not None:
        # Another worker finished the same content first: keep its pages, drop these files.
        _cleanup([name for name in written if not name.startswith("originals/")])
        _set(
            scan_file,
            status=ScanFile.Status.DUPLICATE,
            step=ScanFile.Step.FINISHED,
            duplicate_of=earlier,
            message=_("Trùng nội dung với tệp “%(name)s”: không lưu lại.")
            % {"name": earlier.original_name},
        )
    _discard_incoming(scan_file)


def suffix_for(kind: str) -> str:
    return {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png", "tiff": ".tif"}.get(kind, "")


@transaction.atomic
def _commit_pages(scan_file: ScanFile, pages: list[ScanPage], original: str) -> ScanFile | None:
    """Create the pages, link them and mark the file done, all or nothing.

    Returns the earlier file instead when the same content was committed meanwhile (the
    register row lock makes that check and the insert one step).
    """
    register = register_lock_writable(scan_file.register_id)
    earlier = (
        ScanFile.objects.filter(
            register=register, sha256=scan_file.sha256, status=ScanFile.Status.DONE
        )
        .exclude(pk=scan_file.pk)
        .first()
    )
    if earlier is not None:
        return earlier
    last = register.scan_pages.aggregate(m=Max("sequence"))["m"] or 0
    for offset, page in enumerate(pages, start=1):
        page.sequence = last + offset
    ScanPage.objects.bulk_create(pages)
    ScanFile.objects.filter(pk=scan_file.pk).update(blob=original)
    message = _link_by_name(scan_file, register)
    audit_record(
        actor=scan_file.uploaded_by,
        action="scans.file_processed",
        obj=scan_file,
        object_type="scans.scanfile",
        office_path=register.custodian.path,
        after={
            "register": register.pk,
            "file": scan_file.original_name,
            "pages": len(pages),
            "sha256": scan_file.sha256,
            "link": message,
        },
    )
    _set(scan_file, status=ScanFile.Status.DONE, step=ScanFile.Step.FINISHED, message=message)
    return None


def _link_by_name(scan_file: ScanFile, register: Register) -> str:
    """Link the file's pages to the record its conventional name designates (creating it)."""
    case = parse_case_filename(scan_file.original_name)
    if case is None:
        bad = impossible_date(scan_file.original_name)
        if bad is not None:
            return _(
                "Tên tệp theo quy ước nhưng ngày “%(date)s” không có thật: chưa liên kết. Hãy "
                "sửa tên tệp và tải lên lại, hoặc liên kết trang bằng tay."
            ) % {"date": bad}
        return ""
    if (
        case.register_type != register.register_type
        or case.year not in {register.year_start, register.year_end}
        or not volume_matches(register.volume, case.volume)
    ):
        return _(
            "Tên tệp chỉ sổ %(name)s, không phải sổ %(code)s: chưa liên kết, hãy kiểm tra."
        ) % {"name": f"{case.register_type}.{case.year}.{case.volume}", "code": register.code}
    record = (
        Record.objects.filter(
            register=register, number=case.number, registration_date=case.date
        ).first()
        or Record.objects.filter(register=register, number=case.number).first()
    )
    created = record is None
    if record is None:
        record = record_create_placeholder(
            actor=scan_file.uploaded_by,
            register=register,
            source=Record.Source.FILENAME,
            number=case.number,
            registration_date=case.date,
        )
    position = record.page_links.aggregate(m=Max("position"))["m"] or 0
    pages = scan_file.pages.order_by("source_index")
    PageLink.objects.bulk_create(
        [PageLink(record=record, page=p, position=position + i) for i, p in enumerate(pages, 1)]
    )
    if created:
        return _("Đã tạo và liên kết trường hợp số %(n)s.") % {"n": case.number}
    return _("Đã liên kết với trường hợp số %(n)s.") % {"n": case.number}


def _open_zip(scan_file: ScanFile, path: Path, tmp: Path, written: list[str]) -> None:
    """A zip becomes one row per file inside, created together once all are stored; the page
    cap holds for the zip as a whole, counted before any of its files is turned into pages."""
    members = processing.expand_zip(path, tmp / "zip", max_member_bytes=scan_max_bytes())
    _zip_page_total(members)
    prefix = leftovers.zip_prefix(scan_file)
    rows = []
    for number, (name, member_path) in enumerate(members, start=1):
        clean = get_valid_filename(Path(name).name) or "scan"
        with member_path.open("rb") as fh:
            stored = default_storage.save(f"{prefix}/{number:05d}-{clean}", File(fh))
        written.append(stored)
        rows.append(
            ScanFile(
                register_id=scan_file.register_id,
                batch_id=scan_file.batch_id,
                parent=scan_file,
                original_name=name[:255],
                incoming=stored,
                size=member_path.stat().st_size,
                uploaded_by_id=scan_file.uploaded_by_id,
            )
        )
    with transaction.atomic():
        ScanFile.objects.bulk_create(rows)
        _set(
            scan_file,
            status=ScanFile.Status.DONE,
            step=ScanFile.Step.FINISHED,
            page_count=0,
            message=_("Tệp nén có %(n)s tệp, xử lý từng tệp bên dưới.") % {"n": len(members)},
        )
    written.clear()  # the member files belong to their rows now
    _discard_incoming(scan_file)


def _zip_page_total(members: list[tuple[str, Path]]) -> None:
    """Refuse a zip whose files hold more than MAX_PAGES pages together. A file that cannot
    be counted counts nothing here: it fails on its own row with its reason."""
    total = 0
    for name, member_path in members:
        try:
            kind = processing.sniff(member_path, name)
            total += processing.page_count(member_path, kind) if kind != "zip" else 0
        except processing.ScanError:
            continue
        if total > processing.MAX_PAGES:
            raise processing.ScanError(
                "too_large",
                _("Tệp nén có tổng cộng hơn %(max)s trang: hãy chia thành nhiều tệp nén nhỏ hơn.")
                % {"max": processing.MAX_PAGES},
            )


# ---- linking by hand -----------------------------------------------------------------------


def _page_audit(actor: User, action: str, page: ScanPage, **after: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=page,
        object_type="scans.scanpage",
        office_path=page.register.custodian.path,
        after={"register": page.register_id, "page": page.sequence, **after},
    )


@transaction.atomic
def page_link(*, actor: User, page: ScanPage, record: Record) -> PageLink:
    """Add a page to a record (a case on two pages; a page that holds several cases)."""
    _check_upload(actor, page.register)
    register_lock_writable(page.register_id)
    if record.register_id != page.register_id:
        raise ValidationError(_("Trang và trường hợp thuộc hai sổ khác nhau."))
    existing = PageLink.objects.filter(record=record, page=page).first()
    if existing:
        return existing
    position = (record.page_links.aggregate(m=Max("position"))["m"] or 0) + 1
    link = PageLink.objects.create(record=record, page=page, position=position)
    _page_audit(actor, "scans.page_link", page, record=record.pk, record_label=str(record))
    return link


@transaction.atomic
def page_unlink(*, actor: User, page: ScanPage, record: Record) -> None:
    _check_upload(actor, page.register)
    register_lock_writable(page.register_id)
    deleted, _rows = PageLink.objects.filter(record=record, page=page).delete()
    if deleted:
        _page_audit(actor, "scans.page_unlink", page, record=record.pk, record_label=str(record))


@transaction.atomic
def page_move(*, actor: User, page: ScanPage, from_record: Record, to_record: Record) -> None:
    page_unlink(actor=actor, page=page, record=from_record)
    page_link(actor=actor, page=page, record=to_record)


@transaction.atomic
def register_split(
    *,
    actor: User,
    register: Register,
    starts: list[int] | None = None,
    cases_per_page: int | None = None,
) -> list[Record]:
    """Cut the register's unlinked pages into cases: at marked start pages, or N cases a page.

    `starts` are ids of pages where a case begins (pages before the first start are left
    alone); `cases_per_page` 1 or 2 makes one or two cases on every page.
    """
    _check_upload(actor, register)
    register_lock_writable(register)
    pages = list(
        register.scan_pages.filter(is_current=True, links__isnull=True).order_by("sequence", "id")
    )
    if not pages:
        raise ValidationError(_("Không còn trang nào chưa liên kết để tách."))
    groups: list[list[ScanPage]] = []
    if cases_per_page in (1, 2):
        groups = [[p] for p in pages for _n in range(cases_per_page)]
    elif starts:
        start_set = set(starts)
        if not start_set <= {p.pk for p in pages}:
            raise ValidationError(_("Trang đánh dấu bắt đầu không thuộc các trang chưa liên kết."))
        for page in pages:
            if page.pk in start_set:
                groups.append([page])
            elif groups:
                groups[-1].append(page)
    else:
        raise ValidationError(_("Hãy đánh dấu trang bắt đầu của từng trường hợp."))
    records = []
    for group in groups:
        record = record_create_placeholder(actor=actor, register=register, source="split")
        PageLink.objects.bulk_create(
            [PageLink(record=record, page=p, position=i) for i, p in enumerate(group, 1)]
        )
        records.append(record)
    audit_record(
        actor=actor,
        action="scans.split",
        obj=register,
        office_path=register.custodian.path,
        after={"records": len(records), "pages": len(pages), "cases_per_page": cases_per_page},
    )
    return records


# ---- review marks and rescans --------------------------------------------------------------


@transaction.atomic
def page_mark(*, actor: User, page: ScanPage, status: str, note: str = "") -> ScanPage:
    if not scan_can_review(actor, page.register):
        raise PermissionDenied(_("Bạn không có quyền kiểm tra sổ này."))
    if status not in ScanPage.Status.values:
        raise ValidationError(_("Trạng thái trang không hợp lệ."))
    register_lock_writable(page.register_id, changes_data=False)  # a remark, not the scan
    before = {"status": page.status, "note": page.status_note}
    ScanPage.objects.filter(pk=page.pk).update(status=status, status_note=note[:255])
    page.status, page.status_note = status, note[:255]
    audit_record(
        actor=actor,
        action="scans.page_mark",
        obj=page,
        object_type="scans.scanpage",
        office_path=page.register.custodian.path,
        before=before,
        after={"status": status, "note": note},
    )
    return page


def page_rescan(*, actor: User, page: ScanPage, name: str, stream: IO[bytes]) -> ScanPage:
    """Replace a page by a new scan (one page); the old page and its files stay in history."""
    _check_upload(actor, page.register)
    with transaction.atomic():
        # Refused before anything is stored; the change itself is noted when it commits.
        register_lock_writable(page.register_id, changes_data=False)
    if not page.is_current:
        raise ValidationError(_("Trang này đã được thay bằng bản scan khác."))
    size = _stream_size(stream)
    refusal = scan_size_refusal(Path(name).name, size) if size is not None else None
    if refusal is not None:
        raise ValidationError(refusal)
    batch = ScanBatch.objects.create(register=page.register, created_by=actor, source="rescan")
    stored = default_storage.save(
        f"incoming/{page.register_id}/{uuid.uuid4().hex}-{get_valid_filename(name) or 'scan'}",
        File(stream),
    )
    scan_file = ScanFile.objects.create(
        register=page.register,
        batch=batch,
        original_name=Path(name).name[:255],
        incoming=stored,
        uploaded_by=actor,
    )
    written: list[str] = []
    try:
        with _local_copy(stored, Path(name).suffix.lower()[:8]) as (path, _tmp):
            kind = processing.sniff(path, name)
            if kind == "zip" or processing.page_count(path, kind) != 1:
                raise processing.ScanError(
                    "unsupported", _("Bản scan lại phải là đúng một trang (PDF hoặc ảnh).")
                )
            output = next(iter(processing.iter_pages(path, kind)))
            base = f"scans/r{page.register_id}/f{scan_file.pk}/p0001"
            pdf = default_storage.save(f"{base}.pdf", ContentFile(output.pdf))
            image = default_storage.save(f"{base}.jpg", ContentFile(output.image))
            thumb = default_storage.save(f"{base}-t.jpg", ContentFile(output.thumb))
            written += [pdf, image, thumb]
            sha = processing.sha256_file(path)
    except processing.ScanError as exc:
        _cleanup(written)
        message = f"{scan_file.original_name}: {exc}"
        _fail(scan_file, message)
        ScanBatch.objects.filter(pk=batch.pk).update(
            status=ScanBatch.Status.FAILED, message=message[:500]
        )
        raise ValidationError(message) from exc
    try:
        return _rescan_commit(actor, page, scan_file, batch, output, kind, sha, pdf, image, thumb)
    except RegisterFrozen as exc:  # accepted while the new page was being made
        _cleanup(written)
        _fail(scan_file, f"{scan_file.original_name}: {exc}")
        raise


@transaction.atomic
def _rescan_commit(
    actor: User,
    page: ScanPage,
    scan_file: ScanFile,
    batch: ScanBatch,
    output: Any,
    kind: str,
    sha: str,
    pdf: str,
    image: str,
    thumb: str,
) -> ScanPage:
    register_lock_writable(page.register_id)
    ScanBatch.objects.filter(pk=batch.pk).update(status=ScanBatch.Status.DONE)
    new = ScanPage.objects.create(
        register=page.register,
        source=scan_file,
        source_index=0,
        sequence=page.sequence,
        pdf=pdf,
        image=image,
        thumb=thumb,
        width=output.image_size[0],
        height=output.image_size[1],
        sha256=output.sha256,
    )
    PageLink.objects.filter(page=page).update(page=new)
    ScanPage.objects.filter(pk=page.pk).update(is_current=False, replaced_by=new)
    _discard_incoming(scan_file)
    _set(
        scan_file,
        status=ScanFile.Status.DONE,
        step=ScanFile.Step.FINISHED,
        kind=kind,
        page_count=1,
        pages_done=1,
        sha256=sha,
        message=_("Scan lại trang %(n)s.") % {"n": page.sequence},
    )
    audit_record(
        actor=actor,
        action="scans.page_rescan",
        obj=new,
        object_type="scans.scanpage",
        office_path=page.register.custodian.path,
        before={"page_id": page.pk, "status": page.status},
        after={"page_id": new.pk, "sequence": new.sequence, "file": scan_file.original_name},
    )
    return new
