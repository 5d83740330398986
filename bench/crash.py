"""Crash safety: a crawl killed with SIGKILL at random moments, resumed each time, ends as if never killed.

Serves a generated site of ``--articles`` articles on 127.0.0.1 (under the
public name ``crash.example``, through the server as the crawler's proxy) and:

1. crawls it once, uninterrupted, into a reference archive, and times it;
2. into another archive, until it has been killed ``--cycles`` times: starts
   the crawl, kills it with SIGKILL at a random moment of that duration (a
   resumed crawl can finish sooner: then it is not counted as a kill), then
   runs ``archive check`` on what it left;
3. runs the crawl to its end on that archive, checks it, and compares it with
   the reference: the same articles, the same versions with the same titles,
   bodies and hashes, the same aliases.

Prints one line per cycle and a summary; exits 1 if any check found a
problem or the archives differ.

Usage, from the project root::

    python bench/crash.py [--articles 1000] [--cycles 20] [--seed 7] [--db URL]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from archive.db import open_archive  # noqa: E402
from archive.integrity import check_archive  # noqa: E402
from tests.crawl import query, run_crawl, start_crawl  # noqa: E402
from tests.generated_site import GeneratedSite  # noqa: E402
from tests.local_server import Server, serve  # noqa: E402

HOST = "crash.example"
CRAWL = (f"start_url=http://{HOST}/", "max_pages=0")
ARCHIVE_CONTENT = {
    "articles": "SELECT url, site FROM articles ORDER BY url",
    "snapshots": "SELECT a.url, s.version, s.content_hash, s.body_hash, s.title, s.body_text, s.fetched_url "
    "FROM snapshots s JOIN articles a ON a.id = s.article_id ORDER BY a.url, s.version",
    "aliases": "SELECT u.url, a.url, u.reason FROM url_aliases u JOIN articles a ON a.id = u.article_id ORDER BY u.url",
}
"""What must be equal between two archives of the same site (ids and times differ)."""


def problems(database_url: str) -> list[str]:
    archive = open_archive(database_url, create=False)
    try:
        with archive.sessions() as session:
            return [str(problem) for problem in check_archive(session)]
    finally:
        archive.close()


def content(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    return {name: query(database_url, sql) for name, sql in ARCHIVE_CONTENT.items()}


COUNTS = {
    "articles": "SELECT COUNT(*) FROM articles",
    "snapshots": "SELECT COUNT(*) FROM snapshots",
    "url_aliases": "SELECT COUNT(*) FROM url_aliases",
}


def count(database_url: str, table: str) -> int:
    return query(database_url, COUNTS[table])[0][0]


def crawl_to_end(database_url: str, server: Server) -> float:
    started = time.monotonic()
    result = run_crawl(database_url, *CRAWL, env=server.proxy)
    if result.returncode != 0:
        raise SystemExit(f"crawl failed:\n{result.output[-3000:]}")
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="Archive to crash (default: a new SQLite file); the reference is always SQLite.")
    args = parser.parse_args()
    randomness = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="crash-"))
    reference_url = f"sqlite:///{workdir / 'reference.db'}"
    crashed_url = args.db or f"sqlite:///{workdir / 'crashed.db'}"
    failures = 0

    with serve(GeneratedSite(articles=args.articles, per_page=20)) as server:
        duration = crawl_to_end(reference_url, server)
        print(f"uninterrupted crawl: {count(reference_url, 'articles')} articles in {duration:.1f} s")
        cycle = kills = 0
        while kills < args.cycles:
            cycle += 1
            kill_at = randomness.uniform(0, duration)
            crawl = start_crawl(crashed_url, *CRAWL, env=server.proxy)
            try:
                crawl.communicate(timeout=kill_at)
                outcome = "finished before the kill"
            except subprocess.TimeoutExpired:
                crawl.kill()  # SIGKILL
                crawl.communicate()
                kills += 1
                outcome = f"kill {kills:2d}"
            found = problems(crashed_url)
            failures += bool(found)
            print(
                f"run {cycle:2d}: {outcome} at {kill_at:5.1f} s; archive holds {count(crashed_url, 'articles'):4d} articles, "
                f"{count(crashed_url, 'snapshots'):4d} snapshots; archive check: {'; '.join(found) or 'clean'}"
            )
        duration = crawl_to_end(crashed_url, server)
        found = problems(crashed_url)
        failures += bool(found)
        same = content(crashed_url) == content(reference_url)
        failures += not same
        runs = query(crashed_url, "SELECT COUNT(*), COUNT(finished_at) FROM crawl_runs")[0]
        print(f"final crawl: {duration:.1f} s; archive check: {'; '.join(found) or 'clean'}")
        print(
            f"final archive: {count(crashed_url, 'articles')} articles, {count(crashed_url, 'snapshots')} snapshots, "
            f"{count(crashed_url, 'url_aliases')} aliases; {runs[0]} crawl runs, {runs[0] - runs[1]} left unfinished by kills; "
            f"{'equal to' if same else 'DIFFERENT from'} the uninterrupted crawl's"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
