"""SQLite archives damaged as a failing disk or a careless copy damages them: the header intact, some pages garbage."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from sqlalchemy.engine import make_url

MALFORMED = "database disk image is malformed"
"""What SQLite says when it reads a damaged page."""


def damage_tables(sqlite_url: str, *tables: str) -> None:
    """Overwrite every page of ``tables`` and their indexes in the archive file of ``sqlite_url`` with garbage; the rest stays readable.

    The write-ahead log is checkpointed into the file first, so the garbage is what every later reader sees.
    """
    path = make_url(sqlite_url).database
    assert path
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        [(page_size,)] = connection.execute("PRAGMA page_size")
        marks = ", ".join("?" for _ in tables)
        damaged = f"SELECT pageno FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name IN ({marks}))"
        pages = [number for (number,) in connection.execute(damaged, tables)]
    assert pages, f"no pages of {tables} in {path}"
    with open(path, "r+b") as file:
        for number in pages:
            file.seek((number - 1) * page_size)
            file.write(b"\xff" * page_size)
