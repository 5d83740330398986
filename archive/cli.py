"""The ``archive`` command: read the archive from the shell (history, diff, stats, search, export)."""

from __future__ import annotations

import csv
import json
import re
import sys
from typing import Any, TextIO

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from archive.check import archive_totals, check_archive
from archive.db import DEFAULT_DATABASE_URL, ArchiveError, error_reason, open_archive
from archive.models import Article
from archive.queries import (
    EXPORT_FIELDS,
    article_history,
    export_rows,
    find_article,
    search_snapshots,
    site_stats,
    snapshot_diff,
)

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
UNESCAPED_IN_JSON = re.compile(r"[\x7f-\x9f]")
"""Control characters json.dumps leaves raw (it escapes those below 0x20)."""


def safe(text: str) -> str:
    """Scraped text made safe for a terminal: control characters (escape sequences) removed."""
    return CONTROL_CHARACTERS.sub("", text)


def json_line(row: Any) -> str:
    """``row`` as one line of JSON with every control character escaped, safe to print and lossless."""
    return UNESCAPED_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", json.dumps(row, ensure_ascii=False))


def _sessions(ctx: click.Context) -> sessionmaker[Session]:
    try:
        return open_archive(ctx.obj["database_url"], create=False).sessions
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None


def _article_or_fail(session: Session, url: str) -> Article:
    article = find_article(session, url)
    if article is None:
        raise click.ClickException(f"no archived article under {url}")
    return article


@click.group()
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
@click.argument("url")
@click.pass_context
def history(ctx: click.Context, url: str) -> None:
    """Every archived version of the article at URL, oldest first.

    Example: archive history https://www.debugpoint.com/some-article/
    """
    with _sessions(ctx)() as session:
        article = _article_or_fail(session, url)
        click.echo(safe(f"{article.url}  site={article.site}"))
        click.echo(
            f"first seen {article.first_seen_at.isoformat(timespec='seconds')}, "
            f"last seen {article.last_seen_at.isoformat(timespec='seconds')}"
        )
        for snapshot in article_history(session, article):
            published = snapshot.published_at.isoformat(timespec="seconds") if snapshot.published_at else "-"
            click.echo(
                f"v{snapshot.version}  {snapshot.fetched_at.isoformat(timespec='seconds')}  "
                f"{snapshot.content_hash[:12]}  {len(snapshot.body_text.split()):>6} words  "
                f"published {published}  {safe(snapshot.title)}"
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
    with _sessions(ctx)() as session:
        article = _article_or_fail(session, url)
        versions = {snapshot.version: snapshot for snapshot in article_history(session, article)}
        if to_version is not None:
            newest = to_version
        elif from_version is not None:
            newest = min((v for v in versions if v > from_version), default=from_version)
        else:
            newest = max(versions)
        oldest = from_version if from_version is not None else newest - 1
        if newest not in versions or oldest not in versions or oldest == newest:
            if len(versions) == 1 and from_version is None and to_version is None:
                click.echo(f"{article.url} has a single version: nothing to compare")
                return
            raise click.ClickException(
                f"{article.url} has versions {', '.join(map(str, sorted(versions)))}; "
                f"cannot compare {oldest} with {newest}"
            )
        click.echo(safe(snapshot_diff(versions[oldest], versions[newest])) or "no difference in title or body")


@main.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Articles, snapshots and edited articles per site.

    Example: archive stats
    """
    with _sessions(ctx)() as session:
        rows = site_stats(session)
    click.echo(f"{'site':<30} {'articles':>9} {'snapshots':>10} {'changed':>8}  last seen")
    for row in rows:
        last = row.last_seen_at.isoformat(timespec="seconds") if row.last_seen_at else "-"
        click.echo(f"{safe(row.site):<30} {row.articles:>9} {row.snapshots:>10} {row.changed_articles:>8}  {last}")
    click.echo(
        f"{'total':<30} {sum(r.articles for r in rows):>9} {sum(r.snapshots for r in rows):>10} "
        f"{sum(r.changed_articles for r in rows):>8}"
    )


@main.command()
@click.argument("text")
@click.option("--site", help="Only this site.")
@click.option("--all-versions", is_flag=True, help="Search every version, not just the latest.")
@click.option("--limit", default=50, show_default=True, help="At most this many results.")
@click.pass_context
def search(ctx: click.Context, text: str, site: str | None, all_versions: bool, limit: int) -> None:
    """Articles whose title or body contains TEXT (case-insensitive).

    Example: archive search "kernel 6.12" --site 9to5linux
    """
    with _sessions(ctx)() as session:
        for article, snapshot in search_snapshots(session, text, site, all_versions, limit):
            click.echo(
                f"{snapshot.fetched_at.isoformat(timespec='seconds')}  v{snapshot.version}  "
                f"{safe(article.url)}  {safe(snapshot.title)}"
            )


def _write_jsonl(rows: Any, out: TextIO) -> None:
    for row in rows:
        out.write(json_line(row) + "\n")


def _write_csv(rows: Any, out: TextIO) -> None:
    """CSV keeps text as it is, except on a terminal, where control characters are removed."""
    clean = safe if out.isatty() else str
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for row in rows:
        values = {**row, "authors": "; ".join(row["authors"]), "tags": "; ".join(row["tags"])}
        writer.writerow({name: clean(value) if isinstance(value, str) else value for name, value in values.items()})


@main.command()
@click.option("--format", "output_format", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="File to write (default: standard output).")
@click.option("--site", help="Only this site.")
@click.option("--all-versions", is_flag=True, help="Every version of every article, not just the latest.")
@click.pass_context
def export(ctx: click.Context, output_format: str, output: TextIO, site: str | None, all_versions: bool) -> None:
    """Export articles as JSON lines or CSV.

    Example: archive export --format csv -o articles.csv --site debugpoint
    """
    with _sessions(ctx)() as session:
        rows = export_rows(session, site, all_versions)
        (_write_jsonl if output_format == "jsonl" else _write_csv)(rows, output)


@main.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Verify the archive's integrity; list every problem and exit 1 if there is any.

    Checks the database file (SQLite), rows pointing to missing articles or
    runs, articles without content, stored hashes against the stored text,
    aliases shadowing articles, version numbers and seen times.

    Example: archive --db sqlite:///archive.db check
    """
    with _sessions(ctx)() as session:
        problems = check_archive(session)
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


if __name__ == "__main__":
    sys.exit(main())
