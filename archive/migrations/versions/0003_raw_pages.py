"""Raw pages: every archived version keeps the page it was extracted from.

``raw_pages`` holds page bytes zlib-compressed under the SHA-256 of the
uncompressed bytes, so a page fetched many times is stored once;
``responses`` records each fetch (final URL, status, headers that matter);
``snapshots.response_id`` names the fetch a version was extracted from.

Revision ID: 0003
Revises: 0002
Create Date: 2026-01-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "raw_pages",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_raw_pages"),
    )
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["raw_sha256"], ["raw_pages.sha256"], name="fk_responses_raw_sha256_raw_pages"),
        sa.PrimaryKeyConstraint("id", name="pk_responses"),
    )
    op.create_index("ix_responses_raw_sha256", "responses", ["raw_sha256"])
    if op.get_bind().dialect.name == "sqlite":
        # The reference inline in a plain ADD COLUMN: SQLite then keeps the table (and its full-text
        # triggers) rather than copying it, which a separately added constraint would require.
        op.execute("ALTER TABLE snapshots ADD COLUMN response_id INTEGER CONSTRAINT fk_snapshots_response_id_responses REFERENCES responses (id)")
    else:
        op.add_column(
            "snapshots",
            sa.Column(
                "response_id",
                sa.Integer(),
                sa.ForeignKey("responses.id", name="fk_snapshots_response_id_responses"),
                nullable=True,
            ),
        )
    op.create_index("ix_snapshots_response_id", "snapshots", ["response_id"])
