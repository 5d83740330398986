"""Re-extraction throughput: ``archive reextract`` in one process and in worker processes, on the same stored pages.

Builds a SQLite archive of N stored article pages (default 1,000) made from
the pages of ``../shared/extraction-dev`` as ``bench/throughput.py`` makes its
site's (each unique), every one recorded as an old extraction, so that each
re-extraction writes a new version. Copies it, then runs
``archive reextract --workers 0`` on one copy and ``--workers N`` (default:
the machine's cores) on the other, each as its own process, and prints for
each the pages per second, the CPU seconds of its process tree and of the
command's own process (which loads and records the pages), the speed-up
(target ≥ 1.8× on 2 cores) and whether the two archives hold the same
versions afterwards (they must).

Usage, from the project root::

    python bench/reextract.py [--pages 1000] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from archive.db import open_archive  # noqa: E402
from archive.records import FetchedArticle  # noqa: E402
from archive.store import record_articles  # noqa: E402
from bench.realsite import DEFAULT_DATA  # noqa: E402
from bench.throughput import GeneratedSite, adopt_orphans, run_measured  # noqa: E402
from crawler.worker_pool import available_cores  # noqa: E402
from tests.crawl import query  # noqa: E402
from tests.stored_pages import old_reading  # noqa: E402

SPEED_UP_TARGET = 1.8
BATCH = 200
STARTED = datetime(2026, 1, 5, tzinfo=UTC)
VERSIONS = (
    "SELECT a.url, s.version, s.source, s.title, s.body_text, s.authors, s.published_at, s.tags, s.extractor, s.content_hash "
    "FROM snapshots s JOIN articles a ON a.id = s.article_id ORDER BY a.url, s.version"
)


def build_archive(database: Path, data: Path, pages: int) -> None:
    """``pages`` stored pages of the site ``bench/throughput.py`` serves, each recorded as an old extraction."""
    site = GeneratedSite(data, pages)
    archive = open_archive(f"sqlite:///{database}")
    batch: list[FetchedArticle] = []
    for number in range(pages):
        url = f"http://127.0.0.1:8000/news/story-{number}/"
        batch.append(old_reading(url, "bench", number, STARTED + timedelta(seconds=number), site.article(number)))
        if len(batch) == BATCH or number == pages - 1:
            record_articles(archive.sessions, batch)
            batch = []
    archive.close()  # its last connection checkpoints the WAL: the file alone is the archive, to be copied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="stored article pages")
    parser.add_argument("--workers", type=int, default=available_cores(), help="worker processes of the second run")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()

    adopt_orphans()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        one, many = directory / "one-process.db", directory / "workers.db"
        build_archive(one, args.data, args.pages)
        shutil.copy(one, many)
        rates = {}
        for database, workers in ((one, 0), (many, args.workers)):
            command = [sys.executable, "-m", "crawler.cli", "--db", f"sqlite:///{database}", "reextract", "--workers", str(workers)]
            measured = run_measured(command, PROJECT_ROOT, dict(os.environ))
            rates[workers] = args.pages / measured.wall_seconds
            print(
                f"reextract --workers {workers}: {args.pages} pages in {measured.wall_seconds:.1f} s = {rates[workers]:.1f} pages/s, "
                f"CPU {measured.cpu_seconds:.1f} s ({1000 * measured.cpu_seconds / args.pages:.1f} ms per page), "
                f"{measured.own_cpu_seconds:.1f} s of it in the command's own process"
            )
        speed_up = rates[args.workers] / rates[0]
        same = query(f"sqlite:///{one}", VERSIONS) == query(f"sqlite:///{many}", VERSIONS)
        print(
            f"speed-up with {args.workers} workers on {available_cores()} cores: {speed_up:.2f}x "
            f"(target >= {SPEED_UP_TARGET}x: {'met' if speed_up >= SPEED_UP_TARGET else 'MISSED'}); "
            f"same versions in both archives: {'yes' if same else 'NO'}"
        )


if __name__ == "__main__":
    main()
