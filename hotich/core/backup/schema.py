"""The tables a snapshot holds, whatever the engine: the models of a migration state in
dependency order, the migrations themselves, and temporary connections to another database.

Both sides work on the *historical* models of the migrations the database records (not on the
code's current models): a backup of a database one migration behind the code still reads every
column it has, and a restore builds the backup's own schema, loads it, then migrates forward.
"""

from __future__ import annotations

import copy
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.apps.registry import Apps
from django.db import connections, models
from django.db.migrations.graph import MigrationGraph
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from hotich.core.errors import UserFacingError

Migration = tuple[str, str]

#: Tables that `migrate` itself fills: a database holding only these is empty.
HOUSEKEEPING = frozenset({"django_migrations", "django_content_type", "auth_permission"})


def applied_migrations(using: str) -> list[Migration]:
    """The migrations the database records, in the order they were applied."""
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    return [
        (app, name) for app, name in recorder.migration_qs.order_by("id").values_list("app", "name")
    ]


def migration_targets(migrations: Iterable[Migration], graph: MigrationGraph) -> list[Migration]:
    """The last applied migration of each app: migrating there applies exactly `migrations`."""
    by_app: dict[str, set[Migration]] = defaultdict(set)
    for key in migrations:
        by_app[key[0]].add(key)
    targets: list[Migration] = []
    for _app, keys in sorted(by_app.items()):
        leaves = set(keys)
        for key in keys:
            leaves -= set(graph.forwards_plan(key)) - {key}
        targets += sorted(leaves)
    return targets


def unknown_migrations(loader: MigrationLoader, migrations: Iterable[Migration]) -> list[Migration]:
    return [key for key in migrations if key not in loader.graph.nodes]


def state_apps(loader: MigrationLoader, migrations: list[Migration]) -> Apps:
    """The models as they were once exactly `migrations` had run."""
    unknown = unknown_migrations(loader, migrations)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise UserFacingError(
            f"Cơ sở dữ liệu ghi nhận {len(unknown)} bước cập nhật mà phiên bản phần mềm này không "
            f"có ({names}): hãy dùng phiên bản đã tạo ra nó (or a newer one)."
        )
    targets = migration_targets(migrations, loader.graph)
    return loader.project_state(targets, at_end=True).apps


def tables(apps: Apps) -> list[type[models.Model]]:
    """One model per database table, each after the tables its foreign keys point to."""
    by_table: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        by_table.setdefault(meta.db_table, model)
    return dependency_order(by_table)


def dependency_order(by_table: dict[str, type[models.Model]]) -> list[type[models.Model]]:
    needs: dict[str, set[str]] = {}
    for table, model in by_table.items():
        targets = {
            related._meta.db_table
            for f in model._meta.concrete_fields
            if f.remote_field is not None
            and (related := f.related_model) is not None
            and not isinstance(related, str)
        }
        needs[table] = (targets & by_table.keys()) - {table}
    ordered: list[str] = []
    ready = sorted(t for t, n in needs.items() if not n)
    while ready:
        table = ready.pop(0)
        ordered.append(table)
        for other, n in sorted(needs.items()):
            if table in n:
                n.discard(table)
                if not n and other not in ordered and other not in ready:
                    ready.append(other)
    # A cycle (none today) still loads: foreign keys are checked at commit on both engines.
    ordered += sorted(set(by_table) - set(ordered))
    return [by_table[t] for t in ordered]


@contextmanager
def temporary_alias(base: dict[str, Any], **changes: Any) -> Iterator[str]:
    """A database alias for the settings `base` with `changes`, for the block only."""
    alias = f"hotich_backup_{secrets.token_hex(4)}"
    wanted = {**copy.deepcopy(base), **changes}
    connections.settings[alias] = connections.configure_settings({"default": {}, alias: wanted})[
        alias
    ]
    try:
        yield alias
    finally:
        if alias in connections.settings:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]
