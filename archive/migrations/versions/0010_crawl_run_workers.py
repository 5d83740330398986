"""Which process ran each crawl: ``crawl_runs.host``, ``pid``, ``worker`` and ``job``.

Crawls run by queue workers on many machines write one archive; these columns
say on which machine and in which process each run ran and, for a queue job,
which worker and job. Runs recorded before this revision keep them empty.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as table:
        table.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        table.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        table.add_column(sa.Column("worker", sa.String(length=255), nullable=True))
        table.add_column(sa.Column("job", sa.String(length=255), nullable=True))
