"""The ``archive`` command whole: the storage library's subcommands (``archive.cli``) and those that need the crawler.

``archive reextract`` runs the crawler's extractor over stored pages, so it is
added to the group here, on the crawler's side: ``archive/`` never imports
``crawler/``. The ``archive`` console script and ``python -m crawler.cli``
start this group.
"""

from __future__ import annotations

import sys
from datetime import datetime

import click

from archive.cli import DATE_FORMATS, as_utc, main, open_sessions
from archive.progress import terminal_progress
from archive.store import Outcome
from crawler.startup_heap import freeze_startup_heap
from crawler.worker_pool import available_cores, start_fork_server

__all__ = ["main"]


@main.command()
@click.option("--site", help="Only this site.")
@click.option("--since", type=click.DateTime(DATE_FORMATS), help="Only articles whose latest version was fetched at or after this UTC date or time.")
@click.option(
    "--profiles-dir",
    envvar="ARCHIVE_PROFILES_DIR",
    type=click.Path(file_okay=False),
    help="Your site profiles, as for the crawler (or set ARCHIVE_PROFILES_DIR).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=available_cores,
    show_default="the machine's cores",
    help="Worker processes that read the pages, as in a crawl; 0 reads them in this process.",
)
@click.pass_context
def reextract(ctx: click.Context, site: str | None, since: datetime | None, profiles_dir: str | None, workers: int) -> None:
    """Run the current extractor over the stored page of each article's latest version, without fetching.

    A different result is archived as a new version marked `reextract` (same
    fetch time and page as the version it re-reads); an equal one writes nothing.

    Example: archive reextract --site debugpoint --since 2026-01-01
    """
    if workers:
        start_fork_server()  # the workers' extractor loads in the fork server while this process loads its own
    # Imported here: the extractor they load (trafilatura and its own imports) would slow every other subcommand's start.
    from crawler.profiles import ProfileError, load_profiles
    from crawler.reextract import SKIPPED, reextract_archive

    try:
        profiles = load_profiles(profiles_dir)
    except ProfileError as error:
        raise click.ClickException(str(error)) from None
    sessions = open_sessions(ctx)
    freeze_startup_heap()
    with terminal_progress("pages") as progress:
        counts = reextract_archive(sessions, profiles, site, as_utc(since), progress, workers)
    click.echo(
        f"re-extracted {sum(counts.values())} pages: {counts[Outcome.CHANGED.value]} new versions, "
        f"{counts[Outcome.UNCHANGED.value]} unchanged, {counts[SKIPPED]} skipped"
    )


if __name__ == "__main__":
    sys.exit(main())
