"""The pages of ``archive serve``: each reads the archive through ``archive.queries``, ``archive.search`` and
``archive.web.queries`` and answers with a page or its JSON twin (``format=json``). No route writes.

Bad input (an unknown URL, a page or version that is not a number or does
not exist) raises ``HTTPException`` with a message saying what was wrong,
which ``archive.web.app`` shows as a 4xx page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from archive.db import Archive
from archive.errors import ArchiveError
from archive.models import Article, CrawlRun, Snapshot
from archive.queries import article_history, find_article, recent_runs, site_stats, versions_to_compare
from archive.search import search_snapshots
from archive.web.chart import chart
from archive.web.diff import version_diff
from archive.web.feeds import atom_response
from archive.web.queries import ArticleVersion, article_aliases, daily_counts, latest_edits, latest_versions, new_articles, run_errors
from archive.web.render import link, respond

PAGE_SIZE = 50
"""Rows of a listing page (articles, search results, feed entries, runs)."""
LATEST_EDITS = 20
CHART_DAYS = 90
MAX_PAGE = 100_000


def _session(request: Request) -> Session:
    archive: Archive = request.app.state.archive
    return archive.sessions()


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _number(request: Request, name: str, default: int | None, maximum: int = MAX_PAGE) -> int | None:
    """The whole number the query parameter ``name`` gives (1 to ``maximum``), ``default`` without one."""
    value = request.query_params.get(name, "")
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise HTTPException(400, f"{name} must be a whole number from 1 to {maximum}, not {value!r}")
    return int(value)


def _article_or_404(session: Session, request: Request) -> Article:
    url = request.query_params.get("url", "")
    if not url:
        raise HTTPException(400, "give the article's URL: url=https://...")
    article = find_article(session, url)
    if article is None:
        raise HTTPException(404, f"no archived article under {url}")
    return article


def version_row(found: ArticleVersion) -> dict[str, Any]:
    """A version in a listing: its article, when it was fetched, what it said, where to see it and its changes."""
    article, snapshot = found.article, found.snapshot
    return {
        "url": article.url,
        "site": article.site,
        "version": snapshot.version,
        "fetched_at": _time(snapshot.fetched_at),
        "source": snapshot.source,
        "title": snapshot.title,
        "authors": list(snapshot.authors or []),
        "published_at": _time(snapshot.published_at),
        "article_page": link("/article", url=article.url),
        "diff_page": link("/diff", url=article.url, to=snapshot.version) if snapshot.version > 1 else None,
    }


def home(request: Request) -> Response:
    """Every site with its counts, the latest edits, and new articles and edits per day over the last 90 days."""
    today = datetime.now(UTC).date()
    with _session(request) as session:
        sites = site_stats(session)
        edits = latest_edits(session, LATEST_EDITS)
        days = daily_counts(session, today - timedelta(days=CHART_DAYS - 1), today)
    data = {
        "sites": [
            {
                "site": site.site,
                "articles": site.articles,
                "versions": site.snapshots,
                "edits": site.edits,
                "edited_articles": site.edited_articles,
                "last_seen_at": _time(site.last_seen_at),
                "articles_page": link("/articles", site=site.site),
            }
            for site in sites
        ],
        "latest_edits": [version_row(edit) for edit in edits],
        "days": [{"day": day.day.isoformat(), "new_articles": day.new_articles, "edits": day.edits} for day in days],
    }
    return respond(request, "home.html", data, chart=chart(days))


def articles(request: Request) -> Response:
    """The latest version of every article (of one site), most recently fetched first, a page at a time."""
    site = request.query_params.get("site") or None
    page = _number(request, "page", 1) or 1
    with _session(request) as session:
        rows, total = latest_versions(session, site, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:
        raise HTTPException(404, f"page {page} does not exist: there are {pages} pages")
    data = {
        "site": site,
        "page": page,
        "pages": pages,
        "total": total,
        "articles": [version_row(row) for row in rows],
        "previous_page": link("/articles", site=site, page=page - 1) if page > 1 else None,
        "next_page": link("/articles", site=site, page=page + 1) if page < pages else None,
    }
    return respond(request, "articles.html", data)


def _version_summary(article: Article, snapshot: Snapshot) -> dict[str, Any]:
    return {
        "version": snapshot.version,
        "fetched_at": _time(snapshot.fetched_at),
        "fetched_url": snapshot.fetched_url,
        "source": snapshot.source,
        "extractor": snapshot.extractor,
        "title": snapshot.title,
        "words": len(snapshot.body_text.split()),
        "content_hash": snapshot.content_hash,
        "diff_page": link("/diff", url=article.url, to=snapshot.version) if snapshot.version > 1 else None,
    }


def _article_summary(article: Article) -> dict[str, Any]:
    return {
        "url": article.url,
        "site": article.site,
        "first_seen_at": _time(article.first_seen_at),
        "last_seen_at": _time(article.last_seen_at),
        "last_checked_at": _time(article.last_checked_at),
        "gone_at": _time(article.gone_at),
        "article_page": link("/article", url=article.url),
    }


def article(request: Request) -> Response:
    """An article's metadata (as its latest version has it) and every version, oldest first."""
    with _session(request) as session:
        found = _article_or_404(session, request)
        versions = article_history(session, found)
        aliases = article_aliases(session, found.id)
    latest = versions[-1]
    data = {
        "article": {**_article_summary(found), "aliases": aliases},
        "latest": {
            "title": latest.title,
            "authors": list(latest.authors or []),
            "published_at": _time(latest.published_at),
            "modified_at": _time(latest.modified_at),
            "description": latest.description,
            "language": latest.language,
            "tags": list(latest.tags or []),
            "canonical_url": latest.canonical_url,
        },
        "versions": [_version_summary(found, snapshot) for snapshot in versions],
    }
    return respond(request, "article.html", data)


def diff(request: Request) -> Response:
    """Two versions of an article (the last two by default) compared word by word."""
    from_version = _number(request, "from", None)
    to_version = _number(request, "to", None)
    with _session(request) as session:
        found = _article_or_404(session, request)
        versions = {snapshot.version: snapshot for snapshot in article_history(session, found)}
    if len(versions) == 1 and from_version is None and to_version is None:
        raise HTTPException(404, f"{found.url} has a single version: nothing to compare")
    try:
        oldest, newest = versions_to_compare(versions, from_version, to_version)
    except ArchiveError as error:
        raise HTTPException(404, f"{found.url} {error}") from None
    changes = version_diff(versions[oldest], versions[newest])
    data = {
        "article": _article_summary(found),
        "from": _version_summary(found, versions[oldest]),
        "to": _version_summary(found, versions[newest]),
        "versions": sorted(versions),
        "inserted_words": changes.inserted_words,
        "deleted_words": changes.deleted_words,
        "title": [{"kind": piece.kind, "text": piece.text} for piece in changes.title],
        "body": [
            {"pieces": [{"kind": piece.kind, "text": piece.text} for piece in block.pieces], "collapsed": block.collapsed} for block in changes.body
        ],
    }
    return respond(request, "diff.html", data)


def _since(request: Request) -> datetime | None:
    value = request.query_params.get("since", "")
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"since must be a date or time such as 2026-01-01 or 2026-01-01T12:00:00 (UTC), not {value!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def search(request: Request) -> Response:
    """The full-text search of ``archive search``: same query language, ranking and snippets."""
    query = request.query_params.get("q", "")
    site = request.query_params.get("site") or None
    since = _since(request)
    all_versions = request.query_params.get("all_versions") == "1"
    data: dict[str, Any] = {"q": query, "site": site, "since": _time(since), "all_versions": all_versions, "results": []}
    if query.strip():
        with _session(request) as session:
            try:
                hits = search_snapshots(session, query, site, since, all_versions, PAGE_SIZE)
            except ArchiveError as error:
                raise HTTPException(400, str(error)) from None
        data["results"] = [{**version_row(ArticleVersion(hit.article, hit.snapshot)), "snippet": hit.snippet} for hit in hits]
    return respond(request, "search.html", data)


def _run_row(run: CrawlRun, errors: list[tuple[str, int]]) -> dict[str, Any]:
    return {
        "id": run.id,
        "started_at": _time(run.started_at),
        "finished_at": _time(run.finished_at),
        "seconds": round((run.finished_at - run.started_at).total_seconds(), 1) if run.finished_at else None,
        "finish_reason": run.finish_reason,
        "mode": run.mode,
        "sites": run.sites,
        "requests": run.requests,
        "pages_fetched": run.pages_fetched,
        "articles_new": run.articles_new,
        "articles_changed": run.articles_changed,
        "articles_unchanged": run.articles_unchanged,
        "duplicates": run.duplicates,
        "not_articles": run.not_articles,
        "rechecks": run.rechecks,
        "not_modified": run.not_modified,
        "gone": run.gone,
        "known_skipped": run.known_skipped,
        "errors": run.errors,
        "errors_by_reason": dict(errors),
    }


def runs(request: Request) -> Response:
    """The last crawl runs (``limit``, 50 by default), newest first, with their counts and errors by reason."""
    limit = _number(request, "limit", PAGE_SIZE, maximum=1000) or PAGE_SIZE
    with _session(request) as session:
        rows = recent_runs(session, limit)
        errors = run_errors(session, [run.id for run in rows])
    return respond(request, "runs.html", {"runs": [_run_row(run, errors[run.id]) for run in rows]})


def edits_feed(request: Request) -> Response:
    """Atom: one entry per edit (a version after an article's first), linking to its diff."""
    site = request.query_params.get("site") or None
    with _session(request) as session:
        edits = latest_edits(session, PAGE_SIZE, site)
    return atom_response(request, "edits", site, edits)


def new_feed(request: Request) -> Response:
    """Atom: one entry per new article, linking to its page."""
    site = request.query_params.get("site") or None
    with _session(request) as session:
        found = new_articles(session, PAGE_SIZE, site)
    return atom_response(request, "new", site, found)
