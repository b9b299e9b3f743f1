"""Register types declared once: fields, code lists, dates (see `types.py`)."""

from hotich.records.schema.fields import Field, Kind, Role, Section
from hotich.records.schema.types import RECORD_TYPES, RecordType, record_type

__all__ = ["RECORD_TYPES", "Field", "Kind", "RecordType", "Role", "Section", "record_type"]
