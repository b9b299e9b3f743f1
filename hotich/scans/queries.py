"""Reads of scans, scoped through the register: who may do what, and a register's coverage.

A scan page, file or batch is visible exactly when its register is (see
`hotich.registers.queries.register_list_for_user`); these functions add what each action needs on
top of seeing the register.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from hotich.accounts.models import Role, User
from hotich.records.models import Record
from hotich.registers.models import Assignment, Register
from hotich.registers.queries import register_is_assigned, register_list_for_user
from hotich.scans.models import PageLink, ScanBatch, ScanFile, ScanPage
from hotich.scans.naming import parse_case_filename

WORK_TASKS = (Assignment.Task.SCANNING, Assignment.Task.KEYING)


def scan_can_upload(user: User, register: Register) -> bool:
    """Administrators of the custodian, and whoever is assigned to scan or key the register."""
    if not register_list_for_user(user).filter(pk=register.pk).exists():
        return False
    if user.is_admin and not user.is_contractor:
        return True
    return register_is_assigned(user, register, WORK_TASKS)


def scan_can_review(user: User, register: Register) -> bool:
    """Marking a page unreadable: reviewers of the office, assigned reviewers, administrators."""
    if not register_list_for_user(user).filter(pk=register.pk).exists():
        return False
    if (user.is_admin or user.role == Role.REVIEWER) and not user.is_contractor:
        return True
    return register_is_assigned(user, register, (Assignment.Task.REVIEW,))


def scan_page_list_for_user(user: User) -> QuerySet[ScanPage]:
    return ScanPage.objects.filter(register__in=register_list_for_user(user))


def scan_batch_list_for_user(user: User) -> QuerySet[ScanBatch]:
    return ScanBatch.objects.filter(register__in=register_list_for_user(user))


def register_pages(register: Register) -> QuerySet[ScanPage]:
    return register.scan_pages.filter(is_current=True).order_by("sequence", "id")


def register_coverage(register: Register) -> dict[str, Any]:
    """Declared entries vs records vs scanned pages, and what is missing on either side."""
    pages = register_pages(register)
    linked = PageLink.objects.filter(page=OuterRef("pk"))
    unlinked_pages = pages.exclude(Exists(linked))
    records = register.records.annotate(
        current_pages=Count("page_links", filter=Q(page_links__page__is_current=True))
    )
    records_without_scan = records.filter(current_pages=0)
    files = register.scan_files.values("status").annotate(n=Count("id")).order_by()
    by_status = {row["status"]: row["n"] for row in files}
    counts = {
        "declared": register.declared_entries,
        "records": records.count(),
        "records_with_scan": records.filter(current_pages__gt=0).count(),
        "pages": pages.count(),
        "pages_unlinked": unlinked_pages.count(),
        "pages_flagged": pages.exclude(status=ScanPage.Status.OK).count(),
        "files_failed": by_status.get(ScanFile.Status.FAILED, 0),
        "files_duplicate": by_status.get(ScanFile.Status.DUPLICATE, 0),
    }
    declared = counts["declared"]
    counts["matches_declared"] = declared is not None and declared == counts["records_with_scan"]
    counts["records_without_scan_list"] = list(records_without_scan.order_by("sequence")[:200])
    counts["unlinked_pages_list"] = list(unlinked_pages[:200])
    return counts


def record_pages(record: Record) -> QuerySet[ScanPage]:
    return ScanPage.objects.filter(links__record=record, is_current=True).order_by(
        "links__position", "sequence"
    )


def scan_name_number(record: Record) -> tuple[str, str] | None:
    """The number in the conventional name of the first file whose pages are linked to the
    record, and that name; None when no linked file is named by the convention."""
    names = (
        ScanFile.objects.filter(pages__links__record=record)
        .order_by("pk")
        .values_list("original_name", flat=True)
        .distinct()[:5]
    )
    for name in names:
        case = parse_case_filename(name)
        if case is not None:
            return case.number, name
    return None
