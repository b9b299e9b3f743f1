"""The vocabulary of folded name syllables, and the one-character variants of a name.

Vietnamese names are written with a few thousand syllables, so a name's one-character typos can
be listed: every insertion, deletion or substitution in one of its tokens that gives another
syllable people are really named with. The search then looks those full keys up on the
`name_key` index (`name_key IN (...)`), never scanning the people table.

The vocabulary is `NameToken`, filled from `Party.name_key` above a watermark (the highest party
id already read): people are rewritten with new ids on every save, so reading the ids above the
watermark picks up every new name. Tokens of names since deleted stay; they only cost a lookup
that finds nothing. Each process keeps the set in memory and checks the watermark at most every
`REFRESH_SECONDS`.
"""

from __future__ import annotations

import string
import threading
import time

from django.db import connection, transaction
from django.db.models import Max

from hotich.records.models import Party
from hotich.search.models import NameToken, VocabularyState

REFRESH_SECONDS = 5.0
REFRESH_LIMIT = 40_000  # new parties read by one search (about 0.1 s on SQLite)
_CHUNK = 20_000  # parties read per query
_LETTERS = string.ascii_lowercase + string.digits

_lock = threading.Lock()
_cache: dict[str, object] = {"tokens": frozenset(), "watermark": -1, "checked": 0.0}


def _tokens_after(last: int, count: int) -> tuple[set[str], int, int]:
    """(syllables, last id read, parties read) of the next `count` parties after id `last`."""
    if connection.vendor == "postgresql":
        # The database splits the names and keeps each syllable once: a few hundred rows come
        # back instead of every name (a hundred thousand names in a few tens of ms).
        after = Party.objects.filter(id__gt=last).order_by("id").values_list("id", flat=True)
        ids = list(after[count - 1 : count]) or [Party.objects.aggregate(m=Max("id"))["m"] or 0]
        end = max(ids[0], last)
        if end == last:
            return set(), last, 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT unnest(string_to_array(name_key, ' ')) FROM records_party"
                " WHERE id > %s AND id <= %s",
                [last, end],
            )
            tokens = {row[0][:60] for row in cursor.fetchall() if row[0]}
        return tokens, end, Party.objects.filter(id__gt=last, id__lte=end).count()
    rows = list(
        Party.objects.filter(id__gt=last).order_by("id").values_list("id", "name_key")[:count]
    )
    if not rows:
        return set(), last, 0
    return {t[:60] for _pk, key in rows for t in key.split()}, rows[-1][0], len(rows)


def _all_tokens_after(last: int) -> tuple[int, int]:
    """PostgreSQL, a whole rebuild: every syllable after id `last` in one statement (one pass
    over the people and a hash of a few thousand syllables, instead of a query per 20,000
    people); returns (last id read, people read)."""
    top = Party.objects.aggregate(m=Max("id"))["m"] or 0
    if top <= last:
        return last, 0
    table = connection.ops.quote_name(NameToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (token) SELECT DISTINCT left(t, 60) FROM"
            " (SELECT unnest(string_to_array(name_key, ' ')) AS t FROM records_party"
            " WHERE id > %s AND id <= %s) AS s WHERE t <> '' ON CONFLICT DO NOTHING",
            [last, top],
        )
    return top, Party.objects.filter(id__gt=last, id__lte=top).count()


def vocabulary_update(limit: int | None = None) -> int:
    """Read the names of people added since the watermark into `NameToken` (at most about
    `limit` people: a search does its share, `update_name_vocabulary` all); returns how many
    were read. Safe to run from several processes (inserts ignore existing tokens)."""
    state, _created = VocabularyState.objects.get_or_create(pk=1)
    last = state.party_watermark
    read = 0
    if limit is None and connection.vendor == "postgresql":
        last, read = _all_tokens_after(last)
    while limit is None or read < limit:
        tokens, last_read, count = _tokens_after(last, _CHUNK)
        if not count:
            break
        if tokens:
            NameToken.objects.bulk_create(
                [NameToken(token=t) for t in tokens], ignore_conflicts=True, batch_size=2000
            )
        last = last_read
        read += count
    if last > state.party_watermark:
        with transaction.atomic():
            VocabularyState.objects.filter(pk=1, party_watermark__lt=last).update(
                party_watermark=last
            )
    return read


def vocabulary() -> frozenset[str]:
    """The folded name syllables, refreshed when the data has grown (at most every few s)."""
    now = time.monotonic()
    with _lock:
        if now - float(_cache["checked"]) < REFRESH_SECONDS:  # type: ignore[arg-type]
            return _cache["tokens"]  # type: ignore[return-value]
        _cache["checked"] = now
        top = Party.objects.aggregate(m=Max("id"))["m"] or 0
        state = VocabularyState.objects.filter(pk=1).values_list("party_watermark", flat=True)
        watermark = next(iter(state), 0)
        if top > watermark:
            # A search after a large import reads a slice of the new names, the next ones the rest.
            vocabulary_update(limit=REFRESH_LIMIT)
            watermark = next(iter(state.all()), 0)
            _cache["checked"] = 0.0 if watermark < top else now
        if watermark != _cache["watermark"]:
            _cache["tokens"] = frozenset(NameToken.objects.values_list("token", flat=True))
            _cache["watermark"] = watermark
        return _cache["tokens"]  # type: ignore[return-value]


def vocabulary_forget() -> None:
    """Drop this process's copy (tests, and after a rebuild)."""
    with _lock:
        _cache.update(tokens=frozenset(), watermark=-1, checked=0.0)


def token_variants(token: str, known: frozenset[str]) -> set[str]:
    """Known syllables one insertion, deletion or substitution away from `token`."""
    found: set[str] = set()
    for i in range(len(token) + 1):
        head, tail = token[:i], token[i:]
        if tail:
            found.add(head + tail[1:])
        for ch in _LETTERS:
            found.add(head + ch + tail)
            if tail:
                found.add(head + ch + tail[1:])
    found.discard(token)
    return found & known


def name_variants(key: str, known: frozenset[str], limit: int = 400) -> list[str]:
    """Full keys that differ from `key` by one character in one token (known syllables only)."""
    tokens = key.split()
    out: list[str] = []
    for i, token in enumerate(tokens):
        for variant in sorted(token_variants(token, known)):
            out.append(" ".join([*tokens[:i], variant, *tokens[i + 1 :]]))
            if len(out) >= limit:
                return out
    return out
