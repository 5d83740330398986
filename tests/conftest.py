"""Shared fixtures: archive databases (SQLite file and the PostgreSQL server) and the fixture site."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

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
def fresh_postgres_database() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database on the test server, dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"archive_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        _postgres_unavailable(str(error.orig).strip().splitlines()[0])
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the test server, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each archive test runs once on a SQLite file and once on the PostgreSQL server."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def fixture_site() -> Iterator[FixtureSite]:
    """The fixture news site, version 1, served on 127.0.0.1 on a free port."""
    with serve_fixture_site() as site:
        yield site


@pytest.fixture
def twin_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second fresh archive database of the same kind as ``database_url``, to compare two ways of writing."""
    if make_url(database_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'twin.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url
