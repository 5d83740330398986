"""Shared fixtures: archive databases (SQLite file and the PostgreSQL server) and the fixture site."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from archive.db import open_archive
from tests.fixture_site import FixtureSite, serve_fixture_site

# The suite's crawls read pages in the crawl process, one at a time, unless a test asks for workers
# (-s ARCHIVE_EXTRACT_WORKERS=2, as tests/test_page_workers.py does): a suite of crawls need not start two
# worker processes for each. Benchmarks, which do not load this file, crawl with the default workers.
os.environ.setdefault("ARCHIVE_EXTRACT_WORKERS", "0")

POSTGRES_ADMIN_URL = os.environ.get("ARCHIVE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI but unreachable at {POSTGRES_ADMIN_URL}: {reason}")
    pytest.skip(f"PostgreSQL unreachable at {POSTGRES_ADMIN_URL}: {reason}")


@contextmanager
def fresh_postgres_database(template: str | None = None) -> Iterator[str]:
    """The URL of a fresh PostgreSQL database on the test server (empty, or a copy of ``template``), dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"archive_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    except OperationalError as error:
        admin.dispose()
        _postgres_unavailable(str(error.orig).strip().splitlines()[0])
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def archive_postgres_template() -> Iterator[str]:
    """A PostgreSQL database with the archive's schema at head, made once: the template of every ``postgres_url``.

    Copying it costs the server a quarter of what creating and migrating a database does.
    """
    with fresh_postgres_database() as url:
        open_archive(url).close()  # no connection left: a template cannot be copied while one is open
        yield make_url(url).database or ""


@pytest.fixture(scope="session")
def archive_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite archive at head, made once: the file every ``sqlite_url`` starts as a copy of."""
    path = tmp_path_factory.mktemp("template") / "archive.db"
    open_archive(f"sqlite:///{path}").close()  # its last connection checkpoints the WAL: the file alone is the archive
    return path


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the test server (no schema: the first open creates it), dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def postgres_url(archive_postgres_template: str) -> Iterator[str]:
    """A fresh PostgreSQL archive at the newest schema, with nothing archived, dropped afterwards."""
    with fresh_postgres_database(archive_postgres_template) as url:
        yield url


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    """A SQLite archive file not made yet: the first open creates it."""
    return f"sqlite:///{tmp_path / 'archive.db'}"


@pytest.fixture
def sqlite_url(tmp_path: Path, archive_sqlite_template: Path) -> str:
    """A fresh SQLite archive at the newest schema, with nothing archived."""
    path = tmp_path / "archive.db"
    shutil.copyfile(archive_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each archive test runs once on a SQLite file and once on the PostgreSQL server, each a fresh archive at the newest schema."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest) -> str:
    """``database_url`` before the archive exists: on SQLite no file, on PostgreSQL an empty database."""
    if request.param == "sqlite":
        return request.getfixturevalue("empty_sqlite_url")
    return request.getfixturevalue("empty_postgres_url")


@pytest.fixture
def fixture_site() -> Iterator[FixtureSite]:
    """The fixture news site, version 1, served on 127.0.0.1 on a free port."""
    with serve_fixture_site() as site:
        yield site


@pytest.fixture
def twin_database_url(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second fresh archive of the same kind as ``database_url``, to compare two ways of writing."""
    if make_url(database_url).get_backend_name() == "sqlite":
        path = tmp_path / "twin.db"
        shutil.copyfile(request.getfixturevalue("archive_sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        with fresh_postgres_database(request.getfixturevalue("archive_postgres_template")) as url:
            yield url
