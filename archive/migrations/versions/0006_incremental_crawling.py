"""Incremental crawling: each article's check state, re-check counts per run, a lock per site being crawled.

``articles`` gain the validators of their last answer (``etag``, ``last_modified``),
``last_checked_at``, and ``gone_at`` / ``gone_checks`` for articles whose URL answers
404 or 410. ``crawl_runs`` gain the counts of requests, re-checks, 304 answers, gone
articles and archived links skipped. ``crawl_locks`` holds one row per site being
crawled, with the host, pid and heartbeat of the crawl that holds it.

Columns are added in place (no table copy), so SQLite's search triggers on
``snapshots`` stay as they are.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

RUN_COUNTS = ("requests", "rechecks", "not_modified", "gone", "known_skipped")


def upgrade() -> None:
    op.add_column("articles", sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("articles", sa.Column("etag", sa.Text(), nullable=True))
    op.add_column("articles", sa.Column("last_modified", sa.String(length=100), nullable=True))
    op.add_column("articles", sa.Column("gone_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("articles", sa.Column("gone_checks", sa.Integer(), server_default="0", nullable=False))
    for name in RUN_COUNTS:
        op.add_column("crawl_runs", sa.Column(name, sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "crawl_locks",
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("site", name=op.f("pk_crawl_locks")),
    )
