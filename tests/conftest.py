"""Shared pytest fixtures. Keep each fixture small and documented; group them by area."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from store.database import migrate, normalise_url, open_database
from store.repository import Repository


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which build of the matcher the tests exercised (`matchers.compiled`), also under -q."""
    from matchers import compiled

    terminalreporter.write_line(f"claimwatch matcher: {compiled.STATE}")


# -- database -------------------------------------------------------------------------------------

TEST_DATABASE_URL_ENV = "CLAIMWATCH_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def _postgres_admin() -> Iterator[Engine | None]:
    """One engine on the PostgreSQL test database (if configured) to create and drop per-test schemas."""
    base = os.environ.get(TEST_DATABASE_URL_ENV)
    if not base:
        yield None
        return
    engine = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT", pool_size=1)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path, _postgres_admin: Engine | None) -> Iterator[str]:
    """An empty database URL: a fresh SQLite file, or a fresh PostgreSQL schema (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'claimwatch.db'}"
        return
    if _postgres_admin is None:
        pytest.skip(
            f"PostgreSQL not configured: set {TEST_DATABASE_URL_ENV}="
            "postgresql+psycopg://postgres@127.0.0.1:5432/test to run the PostgreSQL variant"
        )
    schema = f"cw_{uuid.uuid4().hex[:10]}"
    with _postgres_admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    # libpq's `options` puts every connection (alembic's version table included) in the fresh schema.
    url = make_url(normalise_url(os.environ[TEST_DATABASE_URL_ENV])).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with _postgres_admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
def migrated_db_url(db_url: str) -> str:
    """`db_url` with the schema migrated to the newest revision."""
    migrate(db_url)
    return db_url


@pytest.fixture
def repo(migrated_db_url: str) -> Iterator[Repository]:
    """A `Repository` on a freshly migrated database."""
    database = open_database(migrated_db_url)
    yield Repository(database)
    database.dispose()


# -- prefect --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect API (its own SQLite database) shared by every flow test: ~12 s to start."""
    # Prefect's telemetry heartbeat writes to the same SQLite database and collides with runs.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield
