"""Opening databases and migrating them: URLs, SQLite settings, alembic up/down, models == migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from store.database import DatabaseURLError, downgrade, migrate, normalise_url, open_database
from store.models import Base

TABLES = {"sources", "items", "claims", "evidence", "alerts", "alert_deliveries", "runs", "backfill_checkpoints"}


@pytest.mark.parametrize(
    ("given", "expected_driver"),
    [
        ("postgres://u:p@db:5432/cw", "postgresql+psycopg"),
        ("postgresql://u:p@db:5432/cw", "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@db:5432/cw", "postgresql+psycopg"),
    ],
)
def test_postgres_urls_are_rewritten_to_psycopg3(given: str, expected_driver: str) -> None:
    url = normalise_url(given)
    assert url.drivername == expected_driver
    assert (url.host, url.port, url.database, url.password) == ("db", 5432, "cw", "p")


def test_relative_sqlite_path_resolves_against_working_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = normalise_url("sqlite:///data/claimwatch.db")
    assert url.database == str(tmp_path / "data" / "claimwatch.db")
    assert (tmp_path / "data").is_dir()


def test_relative_sqlite_database_is_created_where_the_process_started(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    migrate("sqlite:///claimwatch.db")
    assert (tmp_path / "claimwatch.db").is_file()


def test_unsupported_database_is_refused_without_leaking_the_password() -> None:
    with pytest.raises(DatabaseURLError) as excinfo:
        normalise_url("mysql://user:hunter2@db/cw")
    assert "mysql" in str(excinfo.value)
    assert "hunter2" not in str(excinfo.value)


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    database.dispose()


def test_in_memory_sqlite_keeps_its_schema_across_connections() -> None:
    database = open_database("sqlite://")
    migrate(database)
    with database.engine.connect() as connection:
        assert TABLES <= set(inspect(connection).get_table_names())
    database.dispose()


def test_migrations_create_every_table_and_downgrade_to_an_empty_schema(db_url: str) -> None:
    database = open_database(db_url)
    migrate(database)
    with database.engine.connect() as connection:
        assert TABLES | {"alembic_version"} <= set(inspect(connection).get_table_names())
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0002"
    downgrade(database)
    with database.engine.connect() as connection:
        assert not TABLES & set(inspect(connection).get_table_names())
    migrate(database)  # and back up again
    with database.engine.connect() as connection:
        assert TABLES <= set(inspect(connection).get_table_names())
    database.dispose()


def test_migrating_twice_is_harmless(db_url: str) -> None:
    migrate(db_url)
    migrate(db_url)
    database = open_database(db_url)
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    database.dispose()


def test_models_and_migrated_schema_agree(migrated_db_url: str) -> None:
    database = open_database(migrated_db_url)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    database.dispose()


def test_postgres_schema_lives_in_the_per_test_search_path(migrated_db_url: str) -> None:
    database = open_database(migrated_db_url)
    if database.backend != "postgresql":
        database.dispose()
        pytest.skip("search_path isolation is PostgreSQL-only")
    with database.engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        assert schema.startswith("cw_")
        tables = set(
            connection.execute(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"), {"s": schema}
            ).scalars()
        )
    assert TABLES | {"alembic_version"} <= tables
    database.dispose()


def test_concurrent_writers_neither_fail_nor_double_count(migrated_db_url: str) -> None:
    # Several workers (threads here, processes in production) storing the same feed at once:
    # SQLite must wait for its write lock instead of failing, and every item is "new" exactly once.
    from concurrent.futures import ThreadPoolExecutor

    from matchers.verdict import Verdict
    from seeds.registry import Claim
    from sources.item import Item, item_id_for
    from store.repository import Repository

    items = [Item(id=item_id_for(f"https://example.org/{n}"), title=f"Story {n}", url=f"https://example.org/{n}")
             for n in range(40)]
    databases = [open_database(migrated_db_url) for _ in range(4)]
    claim = Claim(id="stargate-10gw", statement="OpenAI will deploy 10 GW of NVIDIA systems.")
    Repository(databases[0]).sync_claims([claim])

    def store_all(database) -> tuple[list[str], list[int]]:
        repo, new_items, new_evidence = Repository(database), [], []
        for start in range(0, len(items), 5):
            batch = items[start : start + 5]
            new_items += [item.id for item in repo.add_items(batch)]
            # read-then-write transactions: the case where SQLite fails fast unless writers BEGIN IMMEDIATE
            verdicts = [Verdict(item.id, "stargate-10gw", "confirms", 0.9, "10 GW", story_id="s") for item in batch]
            new_evidence += [record.evidence_id for record in repo.record_evidence(verdicts)]
        return new_items, new_evidence

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(store_all, databases))
    assert sorted(i for new_items, _ in results for i in new_items) == sorted(item.id for item in items)
    assert len([e for _, new_evidence in results for e in new_evidence]) == len(items)
    assert len(Repository(databases[0]).pending_alerts()) == 1  # one story, one alert
    for database in databases:
        database.dispose()
