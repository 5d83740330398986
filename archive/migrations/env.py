"""Alembic environment of the archive: runs on the connection that ``archive.schema`` hands over.

The caller opens the transaction (and takes the schema lock), so every
revision of one upgrade is applied in it, all or nothing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from archive.models import Base
from archive.schema import include_in_comparison

connection: Connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_name=include_in_comparison,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
