"""Schema revisions of the archive: create, recognise, upgrade (Alembic, shipped in ``archive/migrations``).

An empty database is brought to the newest revision ("head") by running every
revision. An archive made by the first released version (its tables, but no
``alembic_version`` table) is recognised and stamped as revision ``0001``
first. Upgrades run in one transaction under the schema lock (an advisory
lock on PostgreSQL, SQLite's write lock), so concurrent crawls starting at
once upgrade once, and a failed upgrade leaves the archive as it was.
Revisions only go forward: the archive never drops data.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from archive.errors import ArchiveError, no_archive

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

SCRIPT_LOCATION = "archive:migrations"
HEAD_REVISION = "0011"
"""The newest revision in ``archive/migrations`` (a test holds it to Alembic's reading of them): an archive
already at it is opened without loading Alembic, which would cost every crawl and command a third of a second."""
VERSION_TABLE = "alembic_version"
RELEASED_REVISION = "0001"
"""The schema of archives made before migrations existed."""
SCHEMA_LOCK_KEY = 0x61726368  # "arch": PostgreSQL advisory lock held while the schema changes
SEARCH_OBJECTS = ("snapshots_fts", "search_vector", "ix_snapshots_search_")
"""Full-text search structures that only exist on one backend, made by revisions, not by the models."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: no alembic.ini is needed."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


@cache
def _scripts() -> ScriptDirectory:
    """The revisions shipped with the package, read once per process."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision, as Alembic reads the revisions shipped with the package."""
    head = _scripts().get_current_head()
    assert head is not None
    return head


def include_in_comparison(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave the backend-specific full-text structures out of the models-versus-database comparison."""
    return not (name or "").startswith(SEARCH_OBJECTS)


def current_revision(connection: Connection) -> str | None:
    """The archive's revision; ``RELEASED_REVISION`` for an archive made before migrations; None when empty."""
    tables = inspect(connection)
    if tables.has_table(VERSION_TABLE):
        revision = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        if revision is not None:
            return str(revision)
    return RELEASED_REVISION if tables.has_table("articles") else None


def _known(revision: str) -> bool:
    from alembic.util.exc import CommandError

    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def upgrade_schema(engine: Engine) -> None:
    """Create the archive's schema or bring it to the newest revision."""
    with engine.connect() as connection:
        if current_revision(connection) == HEAD_REVISION:
            return
    from alembic import command

    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        config = alembic_config(connection)
        revision = current_revision(connection)
        if revision is not None and not _known(revision):
            raise ArchiveError(_newer_message(engine, revision))
        if revision == RELEASED_REVISION:  # stamping an archive already at it changes nothing
            command.stamp(config, RELEASED_REVISION)
        command.upgrade(config, "head")


def _newer_message(engine: Engine, revision: str) -> str:
    shown = engine.url.render_as_string(hide_password=True)
    return (
        f"archive {shown} has schema revision {revision}, newer than this version of technews-archive "
        f"knows (newest {HEAD_REVISION}): upgrade technews-archive"
    )


def check_schema(engine: Engine) -> None:
    """Raise :class:`ArchiveError` unless the archive exists and is at the newest revision."""
    shown = engine.url.render_as_string(hide_password=True)
    with engine.connect() as connection:
        revision = current_revision(connection)
    if revision is None:
        raise no_archive(shown)
    if revision == HEAD_REVISION:
        return
    if not _known(revision):
        raise ArchiveError(_newer_message(engine, revision))
    raise ArchiveError(f"archive {shown} has schema revision {revision}, this version needs {HEAD_REVISION}: run `archive --db URL migrate` first")
