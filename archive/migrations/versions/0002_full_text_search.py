"""Full-text search over snapshot titles and bodies.

SQLite: an FTS5 index (``snapshots_fts``, external content: the text stays in
``snapshots`` alone) kept in sync by triggers, Porter stemming. PostgreSQL: a
generated ``tsvector`` column (``search_vector``, title weighted above body,
English stemming) with a GIN index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-05
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE = [
    (
        "CREATE VIRTUAL TABLE snapshots_fts USING fts5("
        "title, body_text, content='snapshots', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
    ),
    (
        "CREATE TRIGGER snapshots_fts_insert AFTER INSERT ON snapshots BEGIN "
        "INSERT INTO snapshots_fts (rowid, title, body_text) VALUES (new.id, new.title, new.body_text); END"
    ),
    (
        "CREATE TRIGGER snapshots_fts_delete AFTER DELETE ON snapshots BEGIN "
        "INSERT INTO snapshots_fts (snapshots_fts, rowid, title, body_text) VALUES ('delete', old.id, old.title, old.body_text); END"
    ),
    (
        "CREATE TRIGGER snapshots_fts_update AFTER UPDATE OF title, body_text ON snapshots BEGIN "
        "INSERT INTO snapshots_fts (snapshots_fts, rowid, title, body_text) VALUES ('delete', old.id, old.title, old.body_text); "
        "INSERT INTO snapshots_fts (rowid, title, body_text) VALUES (new.id, new.title, new.body_text); END"
    ),
    "INSERT INTO snapshots_fts (snapshots_fts) VALUES ('rebuild')",
]
POSTGRESQL = [
    (
        "ALTER TABLE snapshots ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body_text), 'B')) STORED"
    ),
    "CREATE INDEX ix_snapshots_search_vector ON snapshots USING gin (search_vector)",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(dialect, []):
        op.execute(statement)
