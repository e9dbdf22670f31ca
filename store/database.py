"""Open a SQLite or PostgreSQL database with sane connection settings, and migrate it with alembic."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000

# Execution option read by the SQLite "begin" hook: writers take the write lock up front
# ("BEGIN IMMEDIATE") so two processes never deadlock upgrading a read lock to a write lock.
SQLITE_BEGIN_OPTION = "claimwatch_sqlite_begin"


class DatabaseURLError(ValueError):
    """A database URL claimwatch cannot use, with the reason."""


@dataclass(frozen=True)
class Database:
    """An opened database: its normalised URL and the SQLAlchemy engine for it."""

    url: URL
    engine: Engine

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    def writer(self) -> Engine:
        """The engine to use for write transactions (takes SQLite's write lock at BEGIN)."""
        return self.engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def normalise_url(url: str | URL) -> URL:
    """Return the URL claimwatch connects with: psycopg 3 for PostgreSQL, absolute paths for SQLite files."""
    try:
        parsed = make_url(url.replace("postgres://", "postgresql://", 1) if isinstance(url, str) else url)
    except ArgumentError:
        raise DatabaseURLError(f"not a database URL: {_redacted(url)!r}") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")  # the only PostgreSQL driver we ship
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            # Relative paths resolve against the working directory now, not wherever alembic or
            # a worker thread happens to run later.
            path = Path(database).expanduser().resolve()
            path.parent.mkdir(parents=True, exist_ok=True)
            parsed = parsed.set(database=str(path))
        return parsed
    raise DatabaseURLError(
        f"unsupported database {backend!r} in {_redacted(url)!r}: use sqlite:///path.db or postgresql://…"
    )


def open_database(url: str | URL, *, echo: bool = False) -> Database:
    """Create the engine for `url` (SQLite: WAL, foreign keys, busy timeout; PostgreSQL: psycopg 3)."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = not parsed.database or parsed.database == ":memory:"
        engine = create_engine(
            parsed,
            echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            # One shared connection for in-memory databases, otherwise each connection sees its own empty DB.
            **({"poolclass": StaticPool} if in_memory else {}),
        )
        _configure_sqlite(engine, wal=not in_memory)
    else:
        engine = create_engine(parsed, echo=echo, pool_pre_ping=True)
    return Database(url=parsed, engine=engine)


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself: pysqlite's implicit transactions
        # start late and never cover DDL, which breaks SAVEPOINTs and transactional migrations.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def alembic_config(database: Database) -> Config:
    """An alembic Config pointing at the migrations shipped inside this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # The URL is passed as an attribute, not an ini option: ini interpolation mangles '%' in passwords.
    config.attributes["database"] = database
    return config


def migrate(target: str | URL | Database, revision: str = "head") -> None:
    """Bring the schema up to `revision` (default: the newest) with alembic; safe to run repeatedly."""
    _run_alembic(target, command.upgrade, revision)


def downgrade(target: str | URL | Database, revision: str = "base") -> None:
    """Take the schema back to `revision` (default: empty); destroys the data in dropped tables."""
    _run_alembic(target, command.downgrade, revision)


def _run_alembic(target: str | URL | Database, step, revision: str) -> None:
    database, owned = _as_database(target)
    try:
        with database.writer().begin() as connection:
            config = alembic_config(database)
            config.attributes["connection"] = connection
            step(config, revision)
    finally:
        if owned:
            database.dispose()


def _as_database(target: str | URL | Database) -> tuple[Database, bool]:
    if isinstance(target, Database):
        return target, False
    return open_database(target), True


def _redacted(url: str | URL) -> str:
    """The URL with any password hidden, for error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"
