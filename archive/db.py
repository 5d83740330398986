"""Open an archive from an SQLAlchemy URL: engine, schema and sessions.

SQLite (the default) is opened in WAL mode with foreign keys enforced and a
busy timeout, so that readers never block the crawler and a crash never
leaves half a transaction behind. Any other SQLAlchemy URL (PostgreSQL in
particular) works the same way. An archive opened ``read_only`` (the web view)
cannot be written through: SQLite opens the file read-only, PostgreSQL runs
every transaction read-only.

A database error raised through an archive's engine is remembered with the
archive it came from, so that ``database_failure`` can name it in the one line
a command ends with, with what the database said and what to do about it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from archive.errors import ArchiveError, UnreadableValue, no_archive
from archive.schema import check_schema, upgrade_schema

if TYPE_CHECKING:
    from sqlalchemy.engine.interfaces import DBAPIModule

DEFAULT_DATABASE_URL = "sqlite:///archive.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_BUSY_RETRY_SECONDS = 0.02

__all__ = [
    "DEFAULT_DATABASE_URL",
    "Archive",
    "ArchiveError",
    "create_archive_engine",
    "database_failure",
    "driver_failure",
    "lasting_failure",
    "open_archive",
    "serialize_on",
]


@dataclass(frozen=True)
class DatabaseTrouble:
    """A kind of failure of an archive's database: what to do about it, and whether it lasts."""

    codes: tuple[str, ...]
    """Beginnings of the SQLite error names (``sqlite_errorname``) or PostgreSQL SQLSTATEs of this kind."""
    advice: str
    lasting: bool
    """Writing on is useless or harmful until someone acts (a damaged file, a full disk); a lost connection or a lock passes."""


CONNECTION_LOST = DatabaseTrouble(
    ("08", "57P0"), "the connection to the database server was lost: check that the server runs, then run the command again", lasting=False
)
TROUBLES = (
    DatabaseTrouble(
        ("SQLITE_CORRUPT",),
        "the file is damaged: `archive check` lists what is wrong, and SQLite's `.recover` saves what can still be read into a new file",
        lasting=True,
    ),
    DatabaseTrouble(
        ("SQLITE_NOTADB",),
        "if the URL names the right file, it is damaged: SQLite's `.recover` saves what can still be read into a new file",
        lasting=True,
    ),
    DatabaseTrouble(("XX001", "XX002"), "the database is damaged: `archive check` lists what is wrong, the server's log says where", lasting=True),
    DatabaseTrouble(("SQLITE_IOERR",), "the disk failed to read or write it: check the disk, then run `archive check`", lasting=True),
    DatabaseTrouble(("SQLITE_FULL", "53100"), "the disk is full: free some space, then run the command again", lasting=True),
    DatabaseTrouble(("SQLITE_READONLY", "25006"), "it cannot be written: make it writable, then run the command again", lasting=True),
    DatabaseTrouble(
        ("SQLITE_BUSY", "SQLITE_LOCKED", "55P03", "40P01", "57014"),
        "another process (a crawl, a copy?) held a lock on it too long: run the command again once that is done",
        lasting=False,
    ),
    CONNECTION_LOST,
)

_FAILED_ARCHIVES: WeakKeyDictionary[BaseException, str] = WeakKeyDictionary()
"""The archive (its URL, without password) each database error raised through an archive's engine came from."""


def error_reason(error: SQLAlchemyError) -> str:
    """The first line of what the database said, without SQLAlchemy's wrapping."""
    return (str(getattr(error, "orig", None) or error).strip().splitlines() or [type(error).__name__])[0]


def _trouble(error: SQLAlchemyError) -> DatabaseTrouble | None:
    """The kind of ``error``, if it is one of ``TROUBLES``."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return CONNECTION_LOST
    driver_error = getattr(error, "orig", None)
    code = getattr(driver_error, "sqlite_errorname", None) or getattr(driver_error, "sqlstate", None) or ""
    return next((trouble for trouble in TROUBLES if code.startswith(trouble.codes)), None)


def failure_detail(error: SQLAlchemyError) -> str:
    """What the database said, and what to do about it when the kind of failure is known."""
    trouble = _trouble(error)
    return error_reason(error) + (f"; {trouble.advice}" if trouble else "")


def database_failure(error: SQLAlchemyError) -> ArchiveError:
    """The error for a database that failed in the middle of a command: which archive, what it said, what to do."""
    archive = _FAILED_ARCHIVES.get(error)
    return ArchiveError(f"archive database{f' {archive}' if archive else ''} failed: {failure_detail(error)}")


def lasting_failure(error: BaseException) -> TypeGuard[SQLAlchemyError]:
    """Whether ``error`` says that the archive cannot be written until someone acts (a damaged file, a full disk)."""
    trouble = _trouble(error) if isinstance(error, SQLAlchemyError) else None
    return trouble is not None and trouble.lasting


def _remember_archive(archive: str, context: ExceptionContext) -> None:
    """Remember that a database error came from ``archive`` (an engine's ``handle_error`` event, the archive bound to it)."""
    if context.sqlalchemy_exception is not None:
        _FAILED_ARCHIVES[context.sqlalchemy_exception] = archive


def _read_json(archive: str, value: str | bytes) -> Any:
    """A JSON column's stored ``value`` of ``archive`` (text on SQLite, bytes from psycopg), read; ``UnreadableValue``
    where Python's ``json`` cannot read it."""
    try:
        return json.loads(value)
    except (ValueError, RecursionError) as error:  # RecursionError: arrays or objects nested too deep for json
        raise UnreadableValue(archive, str(error)) from None


def driver_failure(connection: Connection, error: DBAPIModule.Error, statement: str) -> StatementError:
    """``error``, raised by the driver of ``connection`` outside SQLAlchemy's execution (psycopg's ``COPY``), made the
    error SQLAlchemy raises for the statements it executes: wrapped in its class of ``DBAPIError``, the archive it came
    from remembered, and a lost connection invalidated (so that no rollback is tried on it)."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, None)
    wrapped = DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect)
    _FAILED_ARCHIVES[wrapped] = connection.engine.url.render_as_string(hide_password=True)
    if lost:
        connection.invalidate()
    return wrapped


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
    # Let SQLAlchemy, not the driver, begin transactions (see _begin_immediately).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    _use_wal(cursor)
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _set_read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin_deferred(connection: Connection) -> None:
    """A read transaction: every query of it sees the same state of the archive."""
    connection.exec_driver_sql("BEGIN")


def _read_only_sqlite_url(parsed: URL) -> URL:
    """The SQLite file of ``parsed`` opened read-only (an URI filename with ``mode=ro``); it must exist."""
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return parsed
    if not Path(database).is_file():
        raise no_archive(database)
    return parsed.set(database=f"{Path(database).resolve().as_uri()}?mode=ro", query={"uri": "true"})


def _use_wal(cursor: Any) -> None:
    """Put the database in WAL mode (a no-op once it is: the mode is kept in the file).

    Switching a new database to WAL takes an exclusive lock, and when another
    process is switching it at the same moment (two crawls opening a new
    archive at once) SQLite answers "database is locked" at once, without
    waiting for the busy timeout. So the switch is tried again until the busy
    timeout has passed, as any other statement would wait.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "database is locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(SQLITE_BUSY_RETRY_SECONDS)


def _begin_immediately(connection: Connection) -> None:
    """Take SQLite's write lock when a transaction begins, not at its first write.

    A transaction that reads (is this URL or body known?) and then writes would
    otherwise let a concurrent writer slip in between, or fail to upgrade its lock.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def serialize_on(session: Session, *keys: str) -> None:
    """Make concurrent transactions that call this with the same key (any of ``keys``) run one after the other.

    On PostgreSQL transaction-scoped advisory locks, taken in one order; on SQLite nothing is
    needed, every writing transaction holds the database's write lock from its start.
    """
    if keys and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(key)) FROM unnest(CAST(:keys AS text[])) AS key"), {"keys": sorted(set(keys))})


def create_archive_engine(url: str, read_only: bool = False) -> Engine:
    """An engine for ``url`` (that cannot write when ``read_only``); raises :class:`ArchiveError` for an unusable URL or path."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise ArchiveError(f"invalid archive database URL {url!r}: {error}") from None
    connect_args: dict[str, str] = {}
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    shown = parsed.render_as_string(hide_password=True)  # a SQLite file's name, not the file: URI it is read-only under
    if parsed.get_backend_name() == "sqlite":
        if read_only:
            parsed = _read_only_sqlite_url(parsed)
        else:
            _check_sqlite_path(parsed.database)
    if read_only and parsed.get_backend_name() == "postgresql":
        connect_args["options"] = "-c default_transaction_read_only=on"
    try:
        engine = create_engine(parsed, connect_args=connect_args, json_deserializer=partial(_read_json, shown))
    except (ArgumentError, ImportError) as error:
        raise ArchiveError(f"cannot use archive database URL {url!r}: {error}") from None
    event.listen(engine, "handle_error", partial(_remember_archive, shown))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_read_only_pragmas if read_only else _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_deferred if read_only else _begin_immediately)
    return engine


@dataclass(frozen=True)
class Archive:
    """An open archive: its engine and a factory of sessions bound to it."""

    engine: Engine
    sessions: sessionmaker[Session]

    def close(self) -> None:
        self.engine.dispose()


def open_archive(url: str, upgrade: bool = True, read_only: bool = False) -> Archive:
    """Open the archive at ``url``.

    With ``upgrade`` (the crawler), a new archive is created and an older one
    upgraded to the newest schema revision. Without it (the read commands), the
    archive must exist and be at the newest revision: the error names the
    command that upgrades it, so that reading never changes a schema.
    ``read_only`` (which implies no upgrade) opens it so that nothing can be written.
    """
    upgrade = upgrade and not read_only
    engine = create_archive_engine(url, read_only)
    database = engine.url.database
    shown = engine.url.render_as_string(hide_password=True)
    # A read-only SQLite file was found to exist before its name became a file: URI.
    if not upgrade and not read_only and engine.dialect.name == "sqlite" and database not in (None, "", ":memory:") and not Path(database).exists():
        engine.dispose()
        raise no_archive(database)
    try:
        (upgrade_schema if upgrade else check_schema)(engine)
    except ArchiveError:
        engine.dispose()
        raise
    except SQLAlchemyError as error:
        engine.dispose()
        raise ArchiveError(f"cannot open archive database {shown}: {failure_detail(error)}") from None
    return Archive(engine, sessionmaker(engine, expire_on_commit=False))
