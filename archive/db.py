"""Open an archive from an SQLAlchemy URL: engine, schema and sessions.

SQLite (the default) is opened in WAL mode with foreign keys enforced and a
busy timeout, so that readers never block the crawler and a crash never
leaves half a transaction behind. Any other SQLAlchemy URL (PostgreSQL in
particular) works the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from archive.models import LATEST_SNAPSHOTS_VIEW, Base

DEFAULT_DATABASE_URL = "sqlite:///archive.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000


class ArchiveError(Exception):
    """The archive cannot be opened or used; the message says why in one line."""


def database_url_from_env() -> str:
    return os.environ.get("ARCHIVE_DATABASE_URL") or DEFAULT_DATABASE_URL


def _check_sqlite_path(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ArchiveError(f"archive database {database!r}: directory {str(directory)!r} does not exist")
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise ArchiveError(f"archive database {database!r} is not writable")
    elif not os.access(directory, os.W_OK):
        raise ArchiveError(f"archive database {database!r}: directory {str(directory)!r} is not writable")


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def create_archive_engine(url: str) -> Engine:
    """An engine for ``url``; raises :class:`ArchiveError` for an unusable URL or path."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise ArchiveError(f"invalid archive database URL {url!r}: {error}") from None
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_path(parsed.database)
    elif parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed)
    except (ArgumentError, ImportError) as error:
        raise ArchiveError(f"cannot use archive database URL {url!r}: {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def create_schema(engine: Engine) -> None:
    """Create the tables and views that do not exist yet (idempotent)."""
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        if "latest_snapshots" not in inspect(connection).get_view_names():
            view_sql = LATEST_SNAPSHOTS_VIEW
            if engine.dialect.name == "sqlite":
                view_sql = view_sql.replace("CREATE VIEW", "CREATE VIEW IF NOT EXISTS", 1)
            else:
                view_sql = view_sql.replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1)
            connection.execute(text(view_sql))


@dataclass(frozen=True)
class Archive:
    """An open archive: its engine and a factory of sessions bound to it."""

    engine: Engine
    sessions: sessionmaker[Session]

    def close(self) -> None:
        self.engine.dispose()


def open_archive(url: str) -> Archive:
    """Open (creating if needed) the archive at ``url``."""
    engine = create_archive_engine(url)
    try:
        create_schema(engine)
    except SQLAlchemyError as error:
        engine.dispose()
        shown = engine.url.render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise ArchiveError(f"cannot open archive database {shown}: {reason}") from None
    return Archive(engine, sessionmaker(engine, expire_on_commit=False))
