"""Alembic environment for claimwatch: runs inside `store.database.migrate()` or from the alembic CLI."""

from __future__ import annotations

import os

from alembic import context

from store.database import open_database
from store.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Migrations must not import store.models (it changes; migrations are history): render the
    # UTC wrapper as the plain column type it stores.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode recreates tables for later migrations.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )


def run_migrations_online() -> None:
    """Migrate through the connection `migrate()` handed us, or open one from the URL (alembic CLI)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    database = config.attributes.get("database")
    if database is None:
        url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
            "CLAIMWATCH_DATABASE_URL", "sqlite:///claimwatch.db"
        )
        database = open_database(url)
    with database.writer().begin() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("claimwatch migrations run online only: `claimwatch migrate` or store.database.migrate(url)")
run_migrations_online()
