"""The life of a record under review, as tables (decision 0010).

`TRANSITIONS` are the moves a review decision makes (`hotich.review.services`); they are the
only moves review makes. `SAVE_TRANSITIONS` are the moves a keying save makes from a reviewed
status: `records.services.record_save` implements them (it comes before this app and cannot
import it); they are listed here so the whole life of a record reads in one place, and the tests
hold the save to them.
"""

from __future__ import annotations

from hotich.records.models import Record

Status = Record.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.VERIFIED, Status.RETURNED}),
    # A reviewer may reopen a verified record; a return always carries its reason (a comment).
    Status.VERIFIED: frozenset({Status.RETURNED}),
}

SAVE_TRANSITIONS: dict[str, frozenset[str]] = {
    # With the operator until complete again, then back to the reviewer.
    Status.RETURNED: frozenset({Status.RETURNED, Status.SUBMITTED}),
    # Unchanged data keeps the verification; any change is reviewed again.
    Status.VERIFIED: frozenset({Status.VERIFIED, Status.SUBMITTED, Status.DRAFT}),
}


def review_allows(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
