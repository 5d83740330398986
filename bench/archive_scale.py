"""Archive at scale: generate an archive of N snapshots, then time search, history and copy, and measure storage.

    python bench/archive_scale.py                      # 100,000 snapshots, SQLite file in a temporary directory
    python bench/archive_scale.py --snapshots 20000 --postgres postgresql://postgres@127.0.0.1:5432/postgres

The generated archive has 5 sites, 2.5 versions per article, an article every 13 minutes; bodies are
drawn from the words of the real articles in ../shared/extraction-dev (so
their word frequencies are natural), each version's raw page is a real
page's markup around its body. It is written with the archive's own models
in bulk (``record_article`` per row would time the generator, not the
archive). Then:

- ``archive search`` (the same function the command calls) on SQLite and
  PostgreSQL: median and worst of several runs for rare, common, phrase and
  filtered queries, latest versions and all versions;
- ``archive history URL`` (find the article, read its versions): median;
- ``archive copy`` SQLite -> PostgreSQL with every row checked: wall time;
- raw page storage: compressed / uncompressed bytes, on the generated
  archive and on the real pages of ../shared/extraction-dev;
- bytes per article and per unchanged re-crawl: two real crawls of the
  fixture site (``tests/fixture_site.py``) into a fresh SQLite archive.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from archive.compression import COMPRESSION_LEVEL
from archive.copy import copy_archive
from archive.db import open_archive
from archive.models import Article, RawPage, Snapshot
from archive.queries import article_history, find_article
from archive.rawpages import store_response
from archive.records import RawResponse
from archive.search import search_snapshots

DATA = PROJECT_ROOT.parent / "shared" / "extraction-dev"
SITES = ("debugpoint", "9to5linux", "omgubuntu", "linuxiac", "lwn")
START = datetime(2025, 1, 1, tzinfo=UTC)
VERSIONS = (4, 1, 3, 2)
"""Versions of successive articles: 2.5 on average."""
QUERIES = (
    ("rare word", "wework", {}),
    ("common word", "people", {}),
    ("two words", "attorney general", {}),
    ("phrase", '"of the people"', {}),
    ("site filter", "people", {"site": "lwn"}),
    ("since filter", "market", {"since": START + timedelta(days=300)}),
    ("all versions", "people", {"all_versions": True}),
)
RUNS = 7


def real_pages() -> list[tuple[bytes, str]]:
    """(page bytes, article body) of the real pages the generator borrows markup and words from."""
    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for path in sorted((DATA / "html").glob("*.html.gz")):
        key = path.name.split(".")[0]
        pages.append((gzip.decompress(path.read_bytes()), truth[key]["articleBody"]))
    return pages


class Generator:
    def __init__(self, pages: list[tuple[bytes, str]], seed: int = 5) -> None:
        self.random = random.Random(seed)
        counts = Counter(word for _, body in pages for word in body.split())
        self.words, self.weights = list(counts), list(counts.values())
        # Each site's chrome: the first 8 KB of a real page, the markup an article sits in.
        self.chrome = {site: pages[i][0][:8000].decode("utf-8", "replace") for i, site in enumerate(SITES)}

    def body(self, words: int) -> str:
        drawn = self.random.choices(self.words, self.weights, k=words)
        return "\n\n".join(" ".join(drawn[i : i + 60]) for i in range(0, words, 60))

    def page(self, site: str, title: str, body: str) -> bytes:
        paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        return f"{self.chrome[site]}<article><h1>{title}</h1>{paragraphs}</article></body></html>".encode()


def generate(url: str, snapshots: int, pages: list[tuple[bytes, str]]) -> list[str]:
    """Fill the archive at ``url`` with ``snapshots`` versions; return the article URLs."""
    generator = Generator(pages)
    archive = open_archive(url)
    urls = []
    articles = snapshots * len(VERSIONS) // sum(VERSIONS)
    with archive.sessions.begin() as session:
        for number in range(articles):
            site = SITES[number % len(SITES)]
            first = START + timedelta(minutes=13 * number)
            url_of = f"https://{site}.example/{number // 1000}/article-{number}/"
            urls.append(url_of)
            versions = VERSIONS[number % len(VERSIONS)]
            article = Article(url=url_of, site=site, first_seen_at=first, last_seen_at=first + timedelta(days=versions))
            session.add(article)
            session.flush()
            body = generator.body(300)
            for version in range(1, versions + 1):
                if version > 1:
                    body += "\n\n" + generator.body(40)  # an update paragraph
                fetched = first + timedelta(days=version - 1)
                title = f"Article {number} about {generator.body(4)}"
                raw = RawResponse(url_of, 200, generator.page(site, title, body), {"content-type": "text/html; charset=utf-8"})
                digest = hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()
                session.add(
                    Snapshot(
                        article_id=article.id,
                        version=version,
                        fetched_at=fetched,
                        fetched_url=url_of,
                        content_hash=digest,
                        body_hash=digest,
                        title=title,
                        body_text=body,
                        authors=["Ada"],
                        published_at=first,
                        tags=["linux"],
                        extractor="bench",
                        response=store_response(session, raw, fetched),
                        is_latest=version == versions,
                    )
                )
            if number % 2000 == 1999:
                session.flush()
                session.expunge_all()
                print(f"  {number + 1} articles", file=sys.stderr)
    archive.close()
    return urls


def timed(action: Callable[[], Any], runs: int = RUNS) -> tuple[float, float, Any]:
    """Median and worst milliseconds of ``runs`` runs after one warm-up, and the last result."""
    result = action()
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        durations.append((time.perf_counter() - start) * 1000)
    return statistics.median(durations), max(durations), result


def bench_reads(url: str, label: str, urls: list[str]) -> None:
    archive = open_archive(url, upgrade=False)
    with archive.sessions() as session:
        for name, query, options in QUERIES:
            median, worst, hits = timed(lambda query=query, options=options: search_snapshots(session, query, **options))
            print(f"{label:<10} search {name:<13} {query!r:<28} {median:7.1f} ms median {worst:7.1f} ms worst  {len(hits)} hits")
        picks = random.Random(1).sample(urls, 20)

        def history() -> int:
            return sum(len(article_history(session, find_article(session, u))) for u in picks)  # type: ignore[arg-type]

        median, worst, _ = timed(history)
        print(f"{label:<10} history (find + versions)            {median / len(picks):7.2f} ms median per URL")
    archive.close()


def storage_ratio(url: str) -> tuple[int, int, float]:
    archive = open_archive(url, upgrade=False)
    with archive.sessions() as session:
        compressed, size, count = session.execute(select(func.sum(func.length(RawPage.data)), func.sum(RawPage.size), func.count())).one()
        ratios = [c / s for c, s in session.execute(select(func.length(RawPage.data), RawPage.size))]
    archive.close()
    return int(compressed), int(size), statistics.mean(ratios) if count else 0.0


def real_page_ratio(pages: list[tuple[bytes, str]], directory: Path) -> None:
    url = f"sqlite:///{directory / 'real.db'}"
    archive = open_archive(url)
    with archive.sessions.begin() as session:
        for page, _ in pages:
            store_response(session, RawResponse("https://example.org/", 200, page), START)
    archive.close()
    compressed, size, mean = storage_ratio(url)
    print(
        f"raw pages (real, {len(pages)} pages of extraction-dev): {compressed / size:.1%} of {size:,} bytes overall, "
        f"{mean:.1%} per page on average (Zstandard level {COMPRESSION_LEVEL})"
    )


def crawl_cost(directory: Path) -> None:
    from tests.crawl import run_crawl
    from tests.fixture_site import serve_fixture_site

    url = f"sqlite:///{directory / 'crawl.db'}"
    measure = (
        "SELECT (SELECT COUNT(*) FROM articles), "
        "(SELECT COALESCE(SUM(LENGTH(title) + LENGTH(body_text) + LENGTH(COALESCE(description, '')) + 400), 0) FROM snapshots), "
        "(SELECT COALESCE(SUM(LENGTH(data)), 0) FROM raw_pages), (SELECT COUNT(*) FROM responses), "
        "(SELECT COUNT(*) FROM snapshots)"
    )
    engine = create_engine(url)
    with serve_fixture_site() as site:
        run_crawl(url, f"start_url={site.url}")
        with engine.connect() as connection:
            first = connection.execute(text(measure)).one()
        size_first = Path(directory / "crawl.db").stat().st_size
        run_crawl(url, f"start_url={site.url}")
        with engine.connect() as connection:
            second = connection.execute(text(measure)).one()
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        size_second = Path(directory / "crawl.db").stat().st_size
    engine.dispose()
    articles = first[0]
    print(
        f"per article (fixture site, {articles} articles): {(first[1]) / articles:,.0f} bytes of snapshot row "
        f"(text + ~400 bytes of other columns), {first[2] / articles:,.0f} bytes of compressed raw page"
    )
    print(
        f"unchanged re-crawl: {second[4] - first[4]} new snapshots, {second[3] - first[3]} new responses, "
        f"{second[2] - first[2]} new raw-page bytes; database file {size_first:,} -> {size_second:,} bytes "
        f"(the crawl_runs row and last_seen_at updates)"
    )


@contextmanager
def postgres_copy(sqlite_url: str, admin_url: str) -> Iterator[str]:
    """The archive at ``sqlite_url`` copied (``archive copy``, timed) into a scratch database of the PostgreSQL
    server of ``admin_url``, vacuumed and analysed; the database is dropped afterwards."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"archive_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    postgres_url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        start = time.perf_counter()
        copied = copy_archive(sqlite_url, postgres_url)
        print(
            f"archive copy sqlite -> postgresql, every row checked: {time.perf_counter() - start:.1f} s "
            f"({', '.join(f'{t.name} {t.rows:,}' for t in copied)})"
        )
        vacuum = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with vacuum.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))  # what autovacuum does soon after a bulk load
        vacuum.dispose()
        yield postgres_url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snapshots", type=int, default=100_000)
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="An administrative URL: a scratch database is created there and dropped afterwards.",
    )
    parser.add_argument("--keep", type=Path, help="Keep the generated SQLite archive in this directory.")
    args = parser.parse_args()
    pages = real_pages()
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.keep or Path(scratch)
        sqlite_url = f"sqlite:///{directory / 'scale.db'}"
        start = time.perf_counter()
        urls = generate(sqlite_url, args.snapshots, pages)
        print(
            f"generated {args.snapshots:,} snapshots of {len(urls):,} articles in {time.perf_counter() - start:.0f} s; "
            f"SQLite file {(directory / 'scale.db').stat().st_size / 1e6:,.0f} MB"
        )
        compressed, size, mean = storage_ratio(sqlite_url)
        print(f"raw pages (generated): {compressed / size:.1%} of {size:,} bytes overall, {mean:.1%} per page on average")
        real_page_ratio(pages, directory)
        bench_reads(sqlite_url, "sqlite", urls)

        with postgres_copy(sqlite_url, args.postgres) as postgres_url:
            bench_reads(postgres_url, "postgresql", urls)
        crawl_cost(directory)


if __name__ == "__main__":
    main()
