"""Background jobs of the transfer app: analyse and import an Excel file, build a package."""

from __future__ import annotations
