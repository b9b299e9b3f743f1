"""Check (or with --compile, rebuild) the English catalog: complete, and compiled from the .po.

Used by CI: `python -m hotich.core.i18n_check`. Needs polib (a dev dependency), not GNU gettext.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def check(compile_mo: bool = False) -> list[str]:
    problems: list[str] = []
    catalogs = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
    if not catalogs:
        return [f"no catalog under {LOCALE}"]
    for po_path in catalogs:
        po = polib.pofile(str(po_path))
        for entry in po:
            if entry.obsolete:
                continue
            if entry.fuzzy:
                problems.append(f"{po_path}: fuzzy: {entry.msgid!r}")
            elif not entry.translated():
                problems.append(f"{po_path}: untranslated: {entry.msgid!r}")
        mo_path = po_path.with_suffix(".mo")
        if compile_mo:
            po.save_as_mofile(str(mo_path))
            continue
        if not mo_path.exists():
            problems.append(f"{mo_path}: missing (run python -m hotich.core.i18n_check --compile)")
            continue
        compiled = {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in polib.mofile(str(mo_path))
            if e.msgid
        }
        source = {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in po.translated_entries()
            if e.msgid and not e.obsolete
        }
        if compiled != source:
            problems.append(
                f"{mo_path}: out of date (run python -m hotich.core.i18n_check --compile)"
            )
    return problems


def main() -> None:
    problems = check(compile_mo="--compile" in sys.argv)
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print("translations: complete and compiled")


if __name__ == "__main__":
    main()
