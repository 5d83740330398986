"""Snapshots say where they come from: ``crawl`` (a fetch) or ``reextract`` (a stored page run through a newer extractor).

Revision ID: 0004
Revises: 0003
Create Date: 2026-01-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("snapshots", sa.Column("source", sa.String(length=20), server_default="crawl", nullable=False))
