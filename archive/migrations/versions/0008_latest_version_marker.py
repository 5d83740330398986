"""Each article's newest version is marked: ``snapshots.is_latest``, true on exactly one snapshot per article.

The store keeps the marker as it adds versions; a partial unique index
(``ix_snapshots_latest_article_id``) holds at most one marked snapshot per
article and finds them without reading the others. ``latest_snapshots`` reads
the marker instead of looking for each article's highest snapshot id.

The column is added in place (no table copy), so SQLite's search triggers on
``snapshots`` stay as they are.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MARK_LATEST = """
UPDATE snapshots SET is_latest = TRUE
WHERE NOT EXISTS (
    SELECT 1 FROM snapshots AS newer WHERE newer.article_id = snapshots.article_id AND newer.version > snapshots.version
)
"""
LATEST = {"sqlite": "is_latest = 1", "postgresql": "is_latest"}
"""The marker's test as each dialect's queries write it (SQLite uses a partial index only for its very predicate)."""
LATEST_SNAPSHOTS_VIEW = """
VIEW latest_snapshots AS
SELECT a.id AS article_id, a.url, a.site, a.first_seen_at, a.last_seen_at,
       s.id AS snapshot_id, s.version, s.fetched_at, s.fetched_url, s.content_hash,
       s.title, s.body_text, s.authors, s.published_at, s.modified_at,
       s.description, s.language, s.tags, s.canonical_url, s.extractor
FROM articles AS a
JOIN snapshots AS s ON s.article_id = a.id AND s.{latest}
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    latest = LATEST.get(dialect, "is_latest")
    op.add_column("snapshots", sa.Column("is_latest", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(MARK_LATEST)
    op.execute(f"CREATE UNIQUE INDEX ix_snapshots_latest_article_id ON snapshots (article_id) WHERE {latest}")
    view = LATEST_SNAPSHOTS_VIEW.format(latest=latest)
    if dialect == "postgresql":
        op.execute(f"CREATE OR REPLACE {view}")  # daily_site_counts depends on the view
    else:
        op.execute("DROP VIEW latest_snapshots")
        op.execute(f"CREATE {view}")
