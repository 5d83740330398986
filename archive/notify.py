"""Notifications after a crawl run: one message per run that found edits (and new articles, if asked),
sent through apprise to every URL of ``ARCHIVE_NOTIFY`` (email, Slack, Matrix, ntfy, a JSON webhook, ...).

The message is built from the run's record and the versions it archived,
read through the archive: the counts of ``crawl_runs``, then the edited
(and new) articles of the run's sites fetched while it ran, each with a link
to its diff when the web view's address (``ARCHIVE_WEB_URL``) is known. A
message that cannot be sent is logged and reported as failed; nothing here
raises, so a notification never fails a crawl.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from archive.models import Article, CrawlRun, Snapshot, utc_now
from archive.queries import is_edit

EDITS = "edits"
NEW = "new"
EVENTS = (EDITS, NEW)
"""What a run may be notified for (``ARCHIVE_NOTIFY_ON``, comma-separated; ``edits`` by default)."""
LISTED = 20
"""Articles listed by name in a message; the others are counted."""
logger = logging.getLogger(__name__)


class Notified(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    NOTHING = "nothing"
    """The run found nothing it was to be notified for."""


@dataclass(frozen=True)
class FoundVersion:
    url: str
    title: str
    version: int


@dataclass(frozen=True)
class RunNews:
    """What a crawl run found: its record, and the versions of its sites fetched while it ran."""

    run: CrawlRun
    edits: list[FoundVersion]
    new: list[FoundVersion]


def parse_events(value: str) -> frozenset[str]:
    """The events of an ``ARCHIVE_NOTIFY_ON`` value; raises ValueError for one that is not known."""
    events = frozenset(name.strip().lower() for name in value.split(",") if name.strip())
    unknown = sorted(events - set(EVENTS))
    if unknown:
        raise ValueError(f"unknown event {', '.join(unknown)} (known: {', '.join(EVENTS)})")
    return events or frozenset({EDITS})


def run_news(session: Session, run_id: int) -> RunNews | None:
    """The news of crawl run ``run_id``; None when there is no such run."""
    run = session.get(CrawlRun, run_id)
    if run is None:
        return None
    query = (
        select(Article.url, Snapshot.title, Snapshot.version)
        .join(Article, Article.id == Snapshot.article_id)
        .where(Snapshot.fetched_at >= run.started_at, Snapshot.fetched_at <= (run.finished_at or utc_now()), Article.site.in_(run.sites.split()))
        .where(is_edit() | (Snapshot.version == 1))
        .order_by(Snapshot.fetched_at, Snapshot.id)
    )
    edits: list[FoundVersion] = []
    new: list[FoundVersion] = []
    for url, title, version in session.execute(query):
        (new if version == 1 else edits).append(FoundVersion(url, title, version))
    return RunNews(run, edits, new)


def _diff_link(web_url: str, found: FoundVersion) -> str:
    return f"{web_url.rstrip('/')}/diff?{urlencode({'url': found.url, 'to': found.version})}"


def _article_link(web_url: str, found: FoundVersion) -> str:
    return f"{web_url.rstrip('/')}/article?{urlencode({'url': found.url})}"


def _listed(heading: str, found: list[FoundVersion], web_url: str | None, edits: bool) -> list[str]:
    if not found:
        return []
    lines = ["", heading]
    for item in found[:LISTED]:
        where = (_diff_link(web_url, item) if edits else _article_link(web_url, item)) if web_url else item.url
        lines.append(f"- {item.title} (version {item.version}): {where}" if edits else f"- {item.title}: {where}")
    if len(found) > LISTED:
        lines.append(f"... and {len(found) - LISTED} more")
    return lines


def message(news: RunNews, events: frozenset[str], web_url: str | None) -> tuple[str, str] | None:
    """The title and body of the run's notification; None when it found nothing ``events`` asks for."""
    run = news.run
    edited = EDITS in events and run.articles_changed > 0
    added = NEW in events and run.articles_new > 0
    if not (edited or added):
        return None
    found = [f"{run.articles_changed} edited" if EDITS in events else "", f"{run.articles_new} new" if NEW in events else ""]
    title = f"technews-archive: {', '.join(part for part in found if part)} (crawl run {run.id}, {run.sites})"
    finished = run.finished_at.strftime("%Y-%m-%d %H:%M UTC") if run.finished_at else "unfinished"
    lines = [
        f"Crawl run {run.id} of {run.sites}, {finished} ({run.finish_reason or 'unfinished'}): "
        f"{run.articles_changed} articles edited, {run.articles_new} new, {run.articles_unchanged} unchanged, "
        f"{run.not_modified} not modified, {run.gone} gone, {run.errors} errors."
    ]
    if EDITS in events:
        lines += _listed("Edited:", news.edits, web_url, edits=True)
    if NEW in events:
        lines += _listed("New:", news.new, web_url, edits=False)
    return title, "\n".join(lines)


def send(urls: str, title: str, body: str) -> bool:
    """Send one message to every apprise URL of ``urls`` (separated by spaces or commas); True if all took it."""
    import apprise  # here, not above: a crawl that notifies nobody never loads it

    notifier = apprise.Apprise()
    if not notifier.add(urls):
        logger.error("notification not sent: ARCHIVE_NOTIFY holds no usable apprise URL")
        return False
    return bool(notifier.notify(title=title, body=body))


def notify_run(sessions: sessionmaker[Session], run_id: int, urls: str, events: frozenset[str], web_url: str | None = None) -> Notified:
    """Notify ``urls`` of what crawl run ``run_id`` found; a failure is logged, never raised."""
    try:
        with sessions() as session:
            news = run_news(session, run_id)
        built = message(news, events, web_url) if news is not None else None
        if built is None:
            return Notified.NOTHING
        if send(urls, *built):
            logger.info("crawl run %s: notification sent", run_id)
            return Notified.SENT
        logger.error("crawl run %s: notification failed (see the messages of apprise above)", run_id)
    except Exception:
        logger.exception("crawl run %s: notification failed", run_id)
    return Notified.FAILED
