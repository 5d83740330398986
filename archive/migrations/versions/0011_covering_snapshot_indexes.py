"""Three indexes of snapshots that answer the web view's listings and counts without reading a snapshot row.

- ``ix_snapshots_latest_fetched_at``: each article's latest version (partial,
  ``is_latest``) by fetch time, with its article and version number: the
  latest versions newest first at any depth of pagination, and each site's
  articles and versions (the latest version's number is its article's count
  of versions).
- ``ix_snapshots_fetched_at_version_source``: every snapshot by fetch time,
  with its version number and source: the edits (and new articles) newest
  first, and the edits of each day.
- ``ix_snapshots_not_crawled_article_id``: the snapshots not crawled (the
  re-extractions, partial), by article: what a site's versions less its
  re-extractions leave, its edits.

On SQLite a snapshot's row holds its body before ``source`` and ``is_latest``,
so a query that decides on them from the row reads the whole row; each
index holds the columns decided on (``is_latest`` too: SQLite 3.40 counts a
partial index as covering only when it holds the columns of its predicate).
They are created in place, so SQLite's search triggers on ``snapshots`` stay
as they are.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NOT_CRAWLED = "source != 'crawl'"


def upgrade() -> None:
    op.create_index(
        "ix_snapshots_latest_fetched_at",
        "snapshots",
        ["fetched_at", "id", "article_id", "version", "is_latest"],
        sqlite_where=sa.text("is_latest = 1"),
        postgresql_where=sa.text("is_latest"),
    )
    op.create_index("ix_snapshots_fetched_at_version_source", "snapshots", ["fetched_at", "id", "version", "source"])
    op.create_index(
        "ix_snapshots_not_crawled_article_id",
        "snapshots",
        ["article_id", "source"],
        sqlite_where=sa.text(NOT_CRAWLED),
        postgresql_where=sa.text(NOT_CRAWLED),
    )
