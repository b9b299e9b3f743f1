"""The building blocks of a register type's declaration: fields, kinds, parties, sections.

A field is one column of the Ministry's import template (or of a form this product defines),
named exactly as the template names it. Forms, validation, import, export and search read the
same declaration; nothing else lists the columns.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.functional import Promise

from hotich.records.schema.codes import CodeList


class Kind(enum.StrEnum):
    TEXT = "text"  # free text, NFC
    LONGTEXT = "longtext"  # several lines (ghiChu, contents of a change)
    NAME = "name"  # a person's full name: NFC, searched by its folded key
    NUMBER = "number"  # registration number, volume, page: text ("02", "01/2017")
    DATE = "date"  # a partial date (dd.mm.yyyy, mm.yyyy, yyyy)
    TIME = "time"  # hh:mm (hour of death)
    CODE = "code"  # a value of a code list
    PLACE = "place"  # a place written in the names of the time; units suggested, text kept
    ID = "id"  # an identity document number: text, leading zeros kept
    SERIAL = "serial"  # STT: the row number, written by the export
    COPY = "copy"  # a column the export fills from another one (the *Str columns)


@dataclass(frozen=True)
class Field:
    key: str
    label: str | Promise
    kind: Kind = Kind.TEXT
    codes: CodeList | None = None
    required: bool = False
    #: party role this field describes ("" for the record itself) and the party attribute.
    role: str = ""
    attr: str = ""
    section: str = "registration"
    #: repeats down a register: carried over from the previous record into a new one.
    carry: bool = False
    #: for Kind.COPY: the field whose value the export writes here.
    source: str = ""
    max_length: int = 255
    #: Kind.ID: digits expected for this document ("" any); used for warnings only.
    digits: tuple[int, ...] = ()

    @property
    def keyed(self) -> bool:
        """Shown in the form and keyed by an operator (not written by the export)."""
        return self.kind not in (Kind.SERIAL, Kind.COPY)


@dataclass(frozen=True)
class Role:
    """A person in a record; stored as a party so search works across register types."""

    key: str
    label: str | Promise
    prefix: str  # the Ministry's column prefix ("nks", "me", ...)
    principal: bool = False  # the person the record is about


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
