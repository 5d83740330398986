"""Full-text search of the archive: one query language, SQLite FTS5 or PostgreSQL ``tsvector`` underneath.

A query is words, all of which must appear (stemmed: "release" finds
"released"), ``"quoted phrases"``, ``-word`` or ``-"phrase"`` to exclude and
``or`` between alternatives: PostgreSQL's ``websearch_to_tsquery`` language,
translated for FTS5 on SQLite. Nothing else in a query is an operator, so any
text a user types is a valid query. Results are ranked, title above body,
and come with a snippet in which the matches are [bracketed]. SQLite ranks
by BM25, a title match weighing five times a body match. PostgreSQL ranks the
snapshots whose title matches first, then the others, each by ``ts_rank_cd``:
the body matches of a common word are ranked only when too few titles match.
Latest versions only (the default) are told apart by the marker the store
keeps (``snapshots.is_latest``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import Session

from archive.errors import ArchiveError
from archive.models import Article, Snapshot
from archive.queries import is_latest_version

TERM = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
WORD = re.compile(r"\w")
SNIPPET_WORDS = 24
POSTGRES_CONFIG = "english"
POSTGRES_HEADLINE = f'StartSel=[, StopSel=], MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, MaxFragments=2, FragmentDelimiter=" … "'
FTS_TABLE = "snapshots_fts"
FTS = table(FTS_TABLE, column("rowid"))
Filters = tuple[str | None, datetime | None, bool]
"""Site, earliest fetch time, all versions."""


@dataclass(frozen=True)
class Term:
    text: str
    excluded: bool = False
    alternative: bool = False
    """Joined to the term before it by "or" rather than "and"."""


@dataclass(frozen=True)
class SearchHit:
    article: Article
    snapshot: Snapshot
    snippet: str


def parse_query(query: str) -> list[Term]:
    """The terms of ``query``; raises :class:`ArchiveError` when it has nothing to find."""
    terms: list[Term] = []
    alternative = False
    for match in TERM.finditer(query):
        quoted = match.group(2) is not None
        text = match.group(2) if quoted else match.group(4)
        if not quoted and text.lower() == "or":
            alternative = bool(terms)
            continue
        if WORD.search(text):
            terms.append(Term(text, bool(match.group(1) or match.group(3)), alternative))
        alternative = False
    if not any(not term.excluded for term in terms):
        raise ArchiveError(f"nothing to search for in {query!r}: give at least one word that is not excluded")
    return terms


def fts5_query(terms: list[Term]) -> str:
    """The FTS5 expression of ``terms``: every term a quoted string, so none of its text is an operator."""

    def quoted(term: Term) -> str:
        return '"' + term.text.replace('"', '""') + '"'

    wanted = [term for term in terms if not term.excluded]
    expression = quoted(wanted[0])
    for term in wanted[1:]:
        expression += (" OR " if term.alternative else " AND ") + quoted(term)
    return f"({expression})" + "".join(f" NOT {quoted(term)}" for term in terms if term.excluded)


def _filtered(query: Select[Any], site: str | None, since: datetime | None, all_versions: bool) -> Select[Any]:
    if site:
        query = query.join(Article, Article.id == Snapshot.article_id).where(Article.site == site)
    if since:
        query = query.where(Snapshot.fetched_at >= since)
    if not all_versions:
        query = query.where(is_latest_version())
    return query


def _sqlite_matches(session: Session, terms: list[Term], filters: Filters, limit: int) -> list[tuple[int, str]]:
    fts: ColumnElement[Any] = literal_column(FTS_TABLE)
    match = fts.op("MATCH")(fts5_query(terms))
    matches = select(FTS.c.rowid).where(match)
    site, since, all_versions = filters
    if site or since or not all_versions:
        # The ids that pass the filters come from indexes alone; reading each match's snapshot row would
        # cost more than ranking it. "+ 0": FTS5 would run the match once per listed id for the bare rowid.
        matches = matches.where((FTS.c.rowid + 0).in_(_filtered(select(Snapshot.id), *filters)))
    best = [row[0] for row in session.execute(matches.order_by(func.bm25(fts, 5.0, 1.0)).limit(limit))]
    # Snippets for the best rows only: SQLite would make one for every match before sorting.
    snippet = func.snippet(fts, -1, "[", "]", "…", SNIPPET_WORDS)
    rows = session.execute(select(FTS.c.rowid, snippet).select_from(FTS).where(match, FTS.c.rowid.in_(best)))
    snippets: dict[int, str] = {row[0]: row[1] for row in rows}
    return [(snapshot_id, snippets[snapshot_id]) for snapshot_id in best]


def _postgres_matches(session: Session, query: str, filters: Filters, limit: int) -> list[tuple[int, str]]:
    config: ColumnElement[Any] = literal_column(f"'{POSTGRES_CONFIG}'::regconfig")
    tsquery = func.websearch_to_tsquery(config, query)
    vector: ColumnElement[Any] = literal_column("snapshots.search_vector")
    matches = vector.bool_op("@@")(tsquery)
    in_title = func.to_tsvector(config, Snapshot.title).bool_op("@@")(tsquery)  # the expression of ix_snapshots_search_title
    rank = func.ts_rank_cd(vector, tsquery)

    def best(*conditions: ColumnElement[bool], count: int) -> list[int]:
        ranked = _filtered(select(Snapshot.id), *filters).where(matches, *conditions).order_by(rank.desc(), Snapshot.id.desc())
        return list(session.scalars(ranked.limit(count)))

    # Title matches first: when they fill the page, the body matches (a common word's tens of thousands) are never ranked.
    ids = best(in_title, count=limit)
    if len(ids) < limit:
        ids += best(~in_title, count=limit - len(ids))
    # The headline re-reads a whole body: made for the few best rows only, not for every match.
    headline = func.ts_headline(config, Snapshot.body_text, tsquery, POSTGRES_HEADLINE)
    rows = session.execute(select(Snapshot.id, headline).where(Snapshot.id.in_(ids)))
    headlines: dict[int, str] = {row[0]: row[1] for row in rows}
    return [(snapshot_id, headlines[snapshot_id]) for snapshot_id in ids]


def search_snapshots(
    session: Session,
    query: str,
    site: str | None = None,
    since: datetime | None = None,
    all_versions: bool = False,
    limit: int = 50,
) -> list[SearchHit]:
    """The best-ranked snapshots matching ``query`` (latest versions only unless ``all_versions``)."""
    terms = parse_query(query)
    filters = (site, since, all_versions)
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        rows = _sqlite_matches(session, terms, filters, limit)
    elif dialect == "postgresql":
        rows = _postgres_matches(session, query, filters, limit)
    else:
        raise ArchiveError(f"full-text search needs SQLite or PostgreSQL, not {dialect}")
    found = select(Article, Snapshot).join(Snapshot, Snapshot.article_id == Article.id)
    snapshots = {
        snapshot.id: (article, snapshot)
        for article, snapshot in session.execute(found.where(Snapshot.id.in_([snapshot_id for snapshot_id, _ in rows])))
    }
    return [SearchHit(*snapshots[snapshot_id], " ".join(snippet.split())) for snapshot_id, snippet in rows]
