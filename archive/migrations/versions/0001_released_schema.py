"""The schema of the first released version: articles, snapshots, URL aliases, crawl runs, latest_snapshots.

Archives made by that version (tables present, no ``alembic_version``) are
stamped with this revision when first opened, then upgraded.

Revision ID: 0001
Revises:
Create Date: 2026-01-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

LATEST_SNAPSHOTS_VIEW = """
CREATE VIEW latest_snapshots AS
SELECT a.id AS article_id, a.url, a.site, a.first_seen_at, a.last_seen_at,
       s.id AS snapshot_id, s.version, s.fetched_at, s.fetched_url, s.content_hash,
       s.title, s.body_text, s.authors, s.published_at, s.modified_at,
       s.description, s.language, s.tags, s.canonical_url, s.extractor
FROM articles AS a
JOIN snapshots AS s
  ON s.id = (SELECT MAX(s2.id) FROM snapshots AS s2 WHERE s2.article_id = a.id)
"""


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("url", name="uq_articles_url"),
    )
    op.create_index("ix_articles_site", "articles", ["site"])
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finish_reason", sa.String(length=100), nullable=True),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("sites", sa.Text(), nullable=False),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("articles_new", sa.Integer(), nullable=False),
        sa.Column("articles_changed", sa.Integer(), nullable=False),
        sa.Column("articles_unchanged", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("not_articles", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_runs"),
    )
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetched_url", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=True),
        sa.Column("extractor", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_snapshots"),
        sa.UniqueConstraint("article_id", "version", name="uq_snapshots_article_id"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name="fk_snapshots_article_id_articles"),
    )
    op.create_index("ix_snapshots_article_id", "snapshots", ["article_id"])
    op.create_index("ix_snapshots_body_hash", "snapshots", ["body_hash"])
    op.create_index("ix_snapshots_fetched_at", "snapshots", ["fetched_at"])
    op.create_index("ix_snapshots_published_at", "snapshots", ["published_at"])
    op.create_table(
        "url_aliases",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name="fk_url_aliases_article_id_articles"),
        sa.PrimaryKeyConstraint("url", name="pk_url_aliases"),
    )
    op.create_index("ix_url_aliases_article_id", "url_aliases", ["article_id"])
    op.execute(LATEST_SNAPSHOTS_VIEW)
