"""Copy a whole archive to another database (SQLite to PostgreSQL and back), then check every row.

The destination is created at the newest schema revision and must be empty.
Rows are copied table by table in dependency order with their ids, so
references and URLs of versions stay the same: into PostgreSQL by ``COPY``,
into SQLite by batches of inserts. PostgreSQL's id sequences are then moved
past the copied ids. The full-text index of the destination fills itself
(SQLite triggers, PostgreSQL's generated column); PostgreSQL's GIN indexes
are dropped before a table is filled and made again after it, in the same
transaction, as one build is much faster than row after row. Every row is
then read back from both sides and compared, value by value, before the copy
is committed: a copy that does not match leaves the destination empty, and
so does a row holding a value its column's type cannot read (text that is not
JSON in a JSON column): the error names the archive, the row and the column.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from sqlalchemy import Connection, Integer, Select, Table, and_, func, select, text, tuple_

from archive.db import driver_failure, open_archive
from archive.errors import ArchiveError, UnreadableValue
from archive.models import Base, row_key
from archive.progress import SILENT, Progress

BATCH_ROWS = 1000
PSYCOPG_LOG = logging.getLogger("psycopg")


@dataclass(frozen=True)
class CopiedTable:
    name: str
    rows: int


def _rows(connection: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    """Every row of ``table`` in key order, read through the models' types; ``ArchiveError`` for a value they cannot read."""
    query = select(table).order_by(*table.primary_key.columns).execution_options(yield_per=BATCH_ROWS)
    last: tuple[Any, ...] | None = None
    try:
        for row in connection.execute(query):
            last = tuple(row)
            yield last
    except ValueError as error:  # raised by a column type's reading of a value: JSON that is not JSON, a time that is no time
        raise _unreadable(connection, table, last, error) from None


def _reads(connection: Connection, query: Select[Any]) -> bool:
    """Whether the values ``query`` selects can be read through their columns' types."""
    try:
        connection.execute(query).all()
    except ValueError:
        return False
    return True


def _unreadable(connection: Connection, table: Table, last: tuple[Any, ...] | None, error: ValueError) -> ArchiveError:
    """The error for the row after ``last`` (the first row if ``None``) of ``table``, which holds a value that cannot be read."""
    keys = list(table.primary_key.columns)
    following = select(*keys).order_by(*keys).limit(1)
    if last is not None:
        columns = list(table.columns)
        following = following.where(tuple_(*keys) > tuple_(*(last[columns.index(key)] for key in keys)))
    key = connection.execute(following).one()
    row = and_(*(column == value for column, value in zip(keys, key, strict=True)))
    column = next(column for column in table.columns if not _reads(connection, select(column).where(row)))
    archive = connection.engine.url.render_as_string(hide_password=True)
    return ArchiveError(
        f"archive {archive}: the {column.name} of {table.name} {row_key(keys, key)} cannot be read "
        f"({error.reason if isinstance(error, UnreadableValue) else error}); "
        "correct it with SQL, then run the copy again (nothing was copied)"
    )


def _batches(rows: Iterator[tuple[Any, ...]], table: Table) -> Iterator[list[dict[str, Any]]]:
    names = [column.name for column in table.columns]
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(dict(zip(names, row, strict=True)))
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def _copy_into(connection: Connection, table: Table, rows: Iterator[tuple[Any, ...]]) -> None:
    """``rows`` into PostgreSQL's ``table`` by ``COPY``, each value bound as its column's type binds it."""
    dialect = connection.dialect
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in table.columns]
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in table.columns)
    driver: Any = connection.connection.driver_connection  # psycopg's connection, in the transaction of ``connection``
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN"
    PSYCOPG_LOG.addFilter(_not_ending_a_failed_copy)
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([process(value) if process else value for process, value in zip(processors, row, strict=True)])
    except dialect.loaded_dbapi.Error as error:  # psycopg's own: SQLAlchemy did not execute the COPY
        raise driver_failure(connection, error, statement) from None
    finally:
        PSYCOPG_LOG.removeFilter(_not_ending_a_failed_copy)


def _not_ending_a_failed_copy(record: logging.LogRecord) -> bool:
    """Not psycopg's warning that a failed ``COPY`` could not be ended either (its connection is lost): the error that failed it says why."""
    return not record.getMessage().startswith("error ignored terminating")


GIN_INDEXES = text(
    "SELECT CAST(x.indexrelid AS regclass), pg_get_indexdef(x.indexrelid) FROM pg_index AS x "
    "JOIN pg_class AS i ON i.oid = x.indexrelid JOIN pg_am AS am ON am.oid = i.relam "
    "WHERE x.indrelid = CAST(:table AS regclass) AND am.amname = 'gin'"
)
"""Name and definition of each GIN (full-text) index of a PostgreSQL table."""


def _counted(rows: Iterator[tuple[Any, ...]], progress: Progress) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        progress.advance()
        yield row


def _write(connection: Connection, table: Table, rows: Iterator[tuple[Any, ...]]) -> None:
    """``rows`` into the empty ``table``."""
    if connection.dialect.name == "postgresql":
        gin = connection.execute(GIN_INDEXES, {"table": table.name}).all()
        for name, _ in gin:
            connection.execute(text(f"DROP INDEX {name}"))
        _copy_into(connection, table, rows)
        for _, definition in gin:
            connection.execute(text(definition))
    else:
        for batch in _batches(rows, table):
            connection.execute(table.insert(), batch)


def _reset_sequence(connection: Connection, table: Table) -> None:
    keys = list(table.primary_key.columns)
    if len(keys) != 1:  # a composite key (crawl_run_errors) has no sequence
        return
    [key] = keys
    if connection.dialect.name == "postgresql" and isinstance(key.type, Integer):
        connection.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key.name}'), COALESCE(MAX({key.name}), 0) + 1, false) FROM {table.name}")
        )


def _verify(source: Connection, destination: Connection, table: Table, progress: Progress) -> int:
    count = 0
    for expected, copied in zip_longest(_counted(_rows(source, table), progress), _rows(destination, table)):
        if expected != copied:
            raise ArchiveError(f"copy differs in {table.name}: {expected!r:.200} became {copied!r:.200}")
        count += 1
    return count


def copy_archive(source_url: str, destination_url: str, progress: Progress = SILENT) -> list[CopiedTable]:
    """Copy the archive at ``source_url`` into the empty archive at ``destination_url``; rows per table.

    ``progress`` counts each row twice: once copied, once checked.
    """
    source = open_archive(source_url, upgrade=False)
    destination = open_archive(destination_url)
    try:
        tables = Base.metadata.sorted_tables
        with source.engine.connect() as reading, destination.engine.begin() as writing:
            for table in tables:
                if writing.scalar(select(func.count()).select_from(table)):
                    raise ArchiveError(f"{destination_url}: the destination archive is not empty ({table.name} has rows)")
            progress.start(2 * sum(reading.scalar(select(func.count()).select_from(table)) or 0 for table in tables))
            for table in tables:
                _write(writing, table, _counted(_rows(reading, table), progress))
                _reset_sequence(writing, table)
            return [CopiedTable(table.name, _verify(reading, writing, table, progress)) for table in tables]
    finally:
        source.close()
        destination.close()
