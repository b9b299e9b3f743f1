"""The one error class every app raises for a problem the person can fix.

A background job that ends in a `UserFacingError` (or Django's `ValidationError` /
`PermissionDenied`) shows its text as the job's message. Any other exception is a bug: the job
logs its traceback and shows "Lỗi không mong đợi" with a reference to that log line, never the
library's own words.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """`str(exc)` is a whole sentence in the person's language, naming what to fix."""
