"""Why pages of a crawl run were not archived: ``crawl_run_errors``, one row per run and reason.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crawl_run_errors",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], name=op.f("fk_crawl_run_errors_run_id_crawl_runs")),
        sa.PrimaryKeyConstraint("run_id", "reason", name=op.f("pk_crawl_run_errors")),
    )
