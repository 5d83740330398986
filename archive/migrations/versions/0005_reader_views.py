"""Views for the questions readers ask: edited articles, daily counts per site.

``edited_articles``: one row per article the crawler saw change (re-extractions
are not edits), with its edit count and times. ``daily_site_counts``: per site
and UTC day, the articles published, first archived and edits seen.

Revision ID: 0005
Revises: 0004
Create Date: 2026-01-05
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

EDITED_ARTICLES = """
CREATE VIEW edited_articles AS
SELECT a.id AS article_id, a.url, a.site, a.first_seen_at, a.last_seen_at,
       COUNT(*) - 1 AS edits, MIN(s.fetched_at) AS first_fetched_at, MAX(s.fetched_at) AS last_edit_seen_at
FROM articles AS a
JOIN snapshots AS s ON s.article_id = a.id
WHERE s.source = 'crawl'
GROUP BY a.id, a.url, a.site, a.first_seen_at, a.last_seen_at
HAVING COUNT(*) > 1
"""
DAILY_SITE_COUNTS = """
CREATE VIEW daily_site_counts AS
SELECT site, day, SUM(published) AS published, SUM(first_seen) AS first_seen, SUM(edits) AS edits
FROM (
    SELECT site, {published} AS day, 1 AS published, 0 AS first_seen, 0 AS edits
    FROM latest_snapshots WHERE published_at IS NOT NULL
    UNION ALL
    SELECT site, {first_seen} AS day, 0, 1, 0 FROM articles
    UNION ALL
    SELECT a.site, {fetched} AS day, 0, 0, 1
    FROM snapshots AS s JOIN articles AS a ON a.id = s.article_id
    WHERE s.version > 1 AND s.source = 'crawl'
) AS events
GROUP BY site, day
"""
DAY = {"sqlite": "date({})", "postgresql": "CAST({} AT TIME ZONE 'UTC' AS DATE)"}


def upgrade() -> None:
    day = DAY.get(op.get_bind().dialect.name, "CAST({} AS DATE)")
    op.execute(EDITED_ARTICLES)
    op.execute(
        DAILY_SITE_COUNTS.format(published=day.format("published_at"), first_seen=day.format("first_seen_at"), fetched=day.format("s.fetched_at"))
    )
    op.create_index("ix_articles_first_seen_at", "articles", ["first_seen_at"])
    op.create_index("ix_snapshots_article_id_source", "snapshots", ["article_id", "source"])
