"""The ``archive`` command: read the archive from the shell (history, diff, stats, search, export).

A command whose archive cannot be used (``ArchiveError``), or whose archive's
database fails in the middle of its work (a damaged file, a full disk, a lost
connection, a lock held too long), ends with one error line naming the
archive, what is wrong and what to do, and exit status 1 (``ArchiveCommands``).
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from typing import IO, Any

import click
from sqlalchemy.exc import DatabaseError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from archive.copy import copy_archive
from archive.db import DEFAULT_DATABASE_URL, ArchiveError, database_failure, error_reason, open_archive
from archive.integrity import archive_totals, check_archive
from archive.models import CRAWL, Article, CrawlRun
from archive.progress import SILENT, terminal_progress
from archive.queries import (
    EXPORT_FIELDS,
    article_history,
    export_rows,
    find_article,
    recent_runs,
    site_stats,
    snapshot_diff,
    versions_to_compare,
)
from archive.schema import current_revision
from archive.search import search_snapshots
from archive.warc import write_warc

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
UNESCAPED_IN_JSON = re.compile(r"[\x7f-\x9f]")
"""Control characters json.dumps leaves raw (it escapes those below 0x20)."""


def as_utc(moment: datetime | None) -> datetime | None:
    """A date or time typed on the command line, read as UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None else None


def safe(text: str) -> str:
    """Scraped text made safe for a terminal: control characters (escape sequences) removed."""
    return CONTROL_CHARACTERS.sub("", text)


def json_line(row: Any) -> str:
    """``row`` as one line of JSON with every control character escaped, safe to print and lossless."""
    return UNESCAPED_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", json.dumps(row, ensure_ascii=False))


def open_sessions(ctx: click.Context) -> sessionmaker[Session]:
    """Sessions of the archive the group's --db names, which must exist at the current schema (ArchiveError otherwise)."""
    return open_archive(ctx.obj["database_url"], upgrade=False).sessions


def _article_or_fail(session: Session, url: str) -> Article:
    article = find_article(session, url)
    if article is None:
        raise click.ClickException(f"no archived article under {url}")
    return article


class ArchiveCommands(click.Group):
    """The group of ``archive`` commands: an unusable archive (``ArchiveError``) or a database error in the middle of
    any of them is one error line, not a traceback.

    What a command committed before the error stays: each transaction is whole or not at all.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArchiveError as error:
            raise click.ClickException(str(error)) from None
        except DatabaseError as error:
            raise click.ClickException(str(database_failure(error))) from None


@click.group(cls=ArchiveCommands)
@click.option(
    "--db",
    "database_url",
    envvar="ARCHIVE_DATABASE_URL",
    default=DEFAULT_DATABASE_URL,
    show_default=True,
    help="SQLAlchemy URL of the archive (or set ARCHIVE_DATABASE_URL).",
)
@click.pass_context
def main(ctx: click.Context, database_url: str) -> None:
    """Query the tech-news archive that `scrapy crawl news` fills."""
    ctx.obj = {"database_url": database_url}


@main.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Create the archive or upgrade it to this version's schema (the crawler does this by itself).

    Example: archive --db postgresql://archive@db.example/archive migrate
    """
    archive = open_archive(ctx.obj["database_url"])
    with archive.engine.connect() as connection:
        click.echo(f"archive at schema revision {current_revision(connection)}")
    archive.close()


@main.command()
@click.argument("url")
@click.pass_context
def history(ctx: click.Context, url: str) -> None:
    """Every archived version of the article at URL, oldest first.

    Example: archive history https://www.debugpoint.com/some-article/
    """
    with open_sessions(ctx)() as session:
        article = _article_or_fail(session, url)
        click.echo(safe(f"{article.url}  site={article.site}"))
        click.echo(
            f"first seen {article.first_seen_at.isoformat(timespec='seconds')}, last seen {article.last_seen_at.isoformat(timespec='seconds')}"
        )
        for snapshot in article_history(session, article):
            published = snapshot.published_at.isoformat(timespec="seconds") if snapshot.published_at else "-"
            click.echo(
                f"v{snapshot.version}  {snapshot.fetched_at.isoformat(timespec='seconds')}  "
                f"{snapshot.content_hash[:12]}  {len(snapshot.body_text.split()):>6} words  "
                f"published {published}  {safe(snapshot.title)}"
                + ("" if snapshot.source == CRAWL else f"  [{snapshot.source}: {snapshot.extractor}]")
            )


@main.command()
@click.argument("url")
@click.option("--from", "from_version", type=int, help="Older version number (default: the one before --to).")
@click.option("--to", "to_version", type=int, help="Newer version number (default: the latest).")
@click.pass_context
def diff(ctx: click.Context, url: str, from_version: int | None, to_version: int | None) -> None:
    """Unified diff of the article at URL between two versions (the last two by default).

    Example: archive diff https://www.debugpoint.com/some-article/ --from 1 --to 3
    """
    with open_sessions(ctx)() as session:
        article = _article_or_fail(session, url)
        versions = {snapshot.version: snapshot for snapshot in article_history(session, article)}
        if len(versions) == 1 and from_version is None and to_version is None:
            click.echo(f"{article.url} has a single version: nothing to compare")
            return
        try:
            oldest, newest = versions_to_compare(versions, from_version, to_version)
        except ArchiveError as error:
            raise click.ClickException(f"{article.url} {error}") from None
        click.echo(safe(snapshot_diff(versions[oldest], versions[newest])) or "no difference in title or body")


@main.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Articles, snapshots and edited articles per site.

    Example: archive stats
    """
    with open_sessions(ctx)() as session:
        rows = site_stats(session)
    click.echo(f"{'site':<30} {'articles':>9} {'snapshots':>10} {'changed':>8}  last seen")
    for row in rows:
        last = row.last_seen_at.isoformat(timespec="seconds") if row.last_seen_at else "-"
        click.echo(f"{safe(row.site):<30} {row.articles:>9} {row.snapshots:>10} {row.changed_articles:>8}  {last}")
    click.echo(f"{'total':<30} {sum(r.articles for r in rows):>9} {sum(r.snapshots for r in rows):>10} {sum(r.changed_articles for r in rows):>8}")


def run_process(run: CrawlRun) -> str:
    """Where a run ran: ``host:pid``, and the queue worker's name when a job started it."""
    if run.host is None:
        return "-"
    return f"{safe(run.host)}:{run.pid}" + (f" ({safe(run.worker)})" if run.worker else "")


@main.command()
@click.option("--limit", default=20, show_default=True, help="At most this many runs, newest first.")
@click.pass_context
def runs(ctx: click.Context, limit: int) -> None:
    """The last crawl runs: when, what they crawled, what they found, how it ended and which process ran them.

    Example: archive runs --limit 5
    """
    with open_sessions(ctx)() as session:
        rows = recent_runs(session, limit)
    click.echo(
        f"{'run':>5}  {'started':<19} {'seconds':>8}  {'finish':<12} {'requests':>8} {'new':>5} {'changed':>7} "
        f"{'unchanged':>9} {'304':>5} {'gone':>5} {'errors':>6}  {'process':<24} sites"
    )
    for run in rows:
        seconds = f"{(run.finished_at - run.started_at).total_seconds():.1f}" if run.finished_at else "-"
        click.echo(
            f"{run.id:>5}  {run.started_at.strftime('%Y-%m-%d %H:%M:%S'):<19} {seconds:>8}  "
            f"{run.finish_reason or 'unfinished':<12} {run.requests:>8} {run.articles_new:>5} "
            f"{run.articles_changed:>7} {run.articles_unchanged:>9} {run.not_modified:>5} "
            f"{run.gone:>5} {run.errors:>6}  {run_process(run):<24} {run.sites}"
        )


@main.command()
@click.argument("query")
@click.option("--site", help="Only this site.")
@click.option("--since", type=click.DateTime(DATE_FORMATS), help="Only versions fetched at or after this UTC date or time.")
@click.option("--all-versions", is_flag=True, help="Search every version, not just the latest: text since edited away.")
@click.option("--limit", default=50, show_default=True, help="At most this many results.")
@click.pass_context
def search(ctx: click.Context, query: str, site: str | None, since: datetime | None, all_versions: bool, limit: int) -> None:
    """Full-text search: the best-ranked articles matching QUERY, each with a snippet.

    QUERY is words (all must appear; "release" also finds "released"),
    "quoted phrases", -word to exclude and `or` between alternatives.

    Example: archive search '"kernel 6.12" rust -android' --site 9to5linux --since 2026-01-01
    """
    with open_sessions(ctx)() as session:
        for hit in search_snapshots(session, query, site, as_utc(since), all_versions, limit):
            click.echo(
                f"{hit.snapshot.fetched_at.isoformat(timespec='seconds')}  v{hit.snapshot.version}  "
                f"{safe(hit.article.url)}  {safe(hit.snapshot.title)}"
            )
            click.echo(f"    {safe(hit.snippet)}")


def _write_jsonl(rows: Any, out: IO[str]) -> None:
    out.writelines(json_line(row) + "\n" for row in rows)


def _write_csv(rows: Any, out: IO[str]) -> None:
    """CSV keeps text as it is, except on a terminal, where control characters are removed."""
    clean = safe if out.isatty() else str
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for row in rows:
        values = {**row, "authors": "; ".join(row["authors"]), "tags": "; ".join(row["tags"])}
        writer.writerow({name: clean(value) if isinstance(value, str) else value for name, value in values.items()})


def _is_regular_file(path: str) -> bool:
    """Whether ``path`` names a file to write (or one to create), not standard output, a terminal or a pipe."""
    return path != "-" and (not os.path.exists(path) or os.path.isfile(path))


@contextmanager
def _output_file(path: str, mode: str) -> Iterator[IO[Any]]:
    """A regular file that appears complete or not at all (written beside it, then renamed); or, as they are,
    standard output ("-") and anything else that exists and is not a regular file (a terminal, a pipe)."""
    if not _is_regular_file(path):
        with click.open_file(path, mode, encoding=None if "b" in mode else "utf-8") as stream:
            yield stream
        return
    partial = f"{path}.partial-{os.getpid()}"
    text: dict[str, Any] = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
    stream = open(partial, mode.replace("w", "x"), **text)
    try:
        with stream:
            yield stream
    except BaseException:
        os.unlink(partial)
        raise
    os.replace(partial, path)


@main.command()
@click.option("--format", "output_format", type=click.Choice(["jsonl", "csv", "warc"]), default="jsonl", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="File to write (default: standard output). A WARC file whose name ends in .gz is gzip-compressed.",
)
@click.option("--site", help="Only this site.")
@click.option("--all-versions", is_flag=True, help="Every version of every article, not just the latest.")
@click.pass_context
def export(ctx: click.Context, output_format: str, output: str, site: str | None, all_versions: bool) -> None:
    """Export articles as JSON lines or CSV, or the pages they were extracted from as WARC.

    WARC holds one response record per stored page: URL, fetch time, HTTP
    status and headers, and the page exactly as fetched.

    Example: archive export --format warc -o debugpoint.warc.gz --site debugpoint
    """
    unit = "pages" if output_format == "warc" else "rows"
    with open_sessions(ctx)() as session, terminal_progress(unit) if _is_regular_file(output) else nullcontext(SILENT) as progress:
        if output_format == "warc":
            with _output_file(output, "wb") as binary:
                unreadable = write_warc(session, binary, output.endswith(".gz"), site, all_versions, progress)
            for url in unreadable:
                click.echo(f"left out {url}: its stored page does not decompress (see archive check)", err=True)
            return
        rows = export_rows(session, site, all_versions, progress)
        with _output_file(output, "w") as out:
            (_write_jsonl if output_format == "jsonl" else _write_csv)(rows, out)


@main.command("copy")
@click.argument("source_url")
@click.argument("destination_url")
def copy_command(source_url: str, destination_url: str) -> None:
    """Copy the archive at SOURCE_URL into a new, empty archive at DESTINATION_URL, and check every row.

    Ids, timestamps and raw pages are kept; the copy is committed only once
    every row read back from the destination equals its source. Stop crawls
    into the source while it runs.

    Example: archive copy sqlite:///archive.db postgresql://archive@db.example/archive
    """
    with terminal_progress("rows") as progress:
        copied = copy_archive(source_url, destination_url, progress)
    for table in copied:
        click.echo(f"{table.name:<12} {table.rows:>9} rows copied and checked")


@main.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Verify the archive's integrity; list every problem and exit 1 if there is any.

    Checks the database file (SQLite), rows pointing to missing articles,
    responses or runs, articles without content, stored hashes against the
    stored text, JSON values that are not JSON (SQLite), stored pages against
    their SHA-256, the full-text index against the snapshots (SQLite),
    aliases shadowing articles, version numbers, the marker of each
    article's latest version, and seen times.

    Example: archive --db sqlite:///archive.db check
    """
    with open_sessions(ctx)() as session:
        with terminal_progress("checks") as progress:
            problems = check_archive(session, progress)
        for problem in problems:
            click.echo(safe(str(problem)))
        try:
            totals = archive_totals(session)
        except SQLAlchemyError as error:
            raise click.ClickException(f"{len(problems)} problems; the archive cannot be counted: {error_reason(error)}") from None
    checked = (
        f"{totals.articles} articles, {totals.snapshots} snapshots, {totals.aliases} aliases, "
        f"{totals.crawl_runs} crawl runs ({totals.unfinished_runs} unfinished: running or killed)"
    )
    if problems:
        raise click.ClickException(f"{len(problems)} problems in {checked}")
    click.echo(f"ok: {checked}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; any but loopback opens the archive to the network.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on (0: any free port).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve a read-only web view of the archive: sites, articles, versions, word diffs, search, runs, Atom feeds.

    Every page is also JSON with ?format=json. Stop it with Ctrl-C.

    Example: archive --db sqlite:///archive.db serve --port 8001
    """
    from archive.web.server import serve as serve_archive  # the web stack is loaded by this command only

    serve_archive(ctx.obj["database_url"], host, port)


if __name__ == "__main__":
    sys.exit(main())
