"""PostgreSQL: a full-text index of snapshot titles alone (``ix_snapshots_search_title``).

Search ranks the snapshots whose title matches first, and ranks body matches
only when those do not fill the page: this index finds them without reading
the much larger ``search_vector`` of every match.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_snapshots_search_title ON snapshots USING gin (to_tsvector('english'::regconfig, title))")
