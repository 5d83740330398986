"""Cron-style re-crawls of a generated news site: what a re-crawl costs next to the first crawl.

Serves a generated site of N articles (default 1,000) on 127.0.0.1 with the
test suite's fixture server (ETag/Last-Modified and 304 answers, an RSS feed
of the newest articles, a sitemap index naming robots.txt's ``Sitemap:``),
20 articles per index page. Runs the real ``scrapy crawl news`` four times
into a fresh archive and prints, against the targets (and for each crawl the
CPU seconds of its process tree, worker processes included; a crawl's own
output is shown only when it fails; Linux only, as ``bench/throughput.py``):

1. the first crawl: requests, articles, wall time;
2. an immediate re-crawl with defaults: its requests as a share of the first
   crawl's (target ≤ 5 %), new snapshots (target 0);
3. ``-a recheck=all`` on the unchanged site: the share of article requests
   answered 304 (target ≥ 90 %), wall time as a share of the first crawl's
   (target ≤ 30 %);
4. a new article put on the front page, then a default re-crawl: whether it
   was archived, and the crawl's whole wall time, process start to exit
   (target < 5 s).

Usage, from the project root::

    python bench/recrawl.py [--articles 1000] [--db sqlite:///...|postgresql://...]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from bench.throughput import Measured, adopt_orphans, run_measured  # noqa: E402
from tests.crawl import crawl_command, query  # noqa: E402
from tests.fixture_site import (  # noqa: E402
    FEED_LINKS,
    ROBOTS_TXT,
    FixtureArticle,
    FixtureSite,
    Page,
    article_page,
    feed_page,
    serve_fixture_site,
    sitemap_page,
)

PAGE_SIZE = 20
SITEMAP_SIZE = 500
BENCH_SETTINGS = ("CONCURRENT_REQUESTS=16", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "LOG_LEVEL=WARNING")
TOPICS = ("Fedora", "Ubuntu", "Debian", "KDE", "GNOME", "Firefox", "Arch", "Mint", "Kernel", "GIMP")


def generated_article(number: int, published: datetime) -> FixtureArticle:
    topic = TOPICS[number % len(TOPICS)]
    paragraphs = tuple(
        f"{topic} story {number}, part {part}: the project shipped a release that changes how people install, "
        f"update and use it every day, and the developers explained the reasons in a long announcement."
        for part in range(1, 7)
    )
    return FixtureArticle(
        f"{topic.lower()}-story-{number}",
        f"{topic} story number {number}",
        "Ada Lovelace",
        published.isoformat(timespec="seconds"),
        topic,
        paragraphs,
    )


def index_page(number: int, articles: list[FixtureArticle], last: bool) -> Page:
    links = "".join(
        f'<article class="post"><h2 class="entry-title"><a href="/{a.slug}/" rel="bookmark">{a.title}</a></h2></article>' for a in articles
    )
    older = "" if last else f'<link rel="next" href="/page/{number + 1}/">'
    html = f"<html><head><title>Page {number}</title>{FEED_LINKS}{older}</head><body><main>{links}</main></body></html>"
    return Page(html.encode())


def build(articles: list[FixtureArticle], port: int) -> dict[str, Page]:
    """Index pages, article pages, the feed, the sitemaps and robots.txt of a site listing ``articles`` newest first."""
    base = f"http://127.0.0.1:{port}"
    pages: dict[str, Page] = {}
    chunks = [articles[i : i + PAGE_SIZE] for i in range(0, len(articles), PAGE_SIZE)]
    for number, chunk in enumerate(chunks, start=1):
        pages["/" if number == 1 else f"/page/{number}/"] = index_page(number, chunk, number == len(chunks))
    for article in articles:
        html = article_page(article, 1, f"{base}/{article.slug}/").replace("{port}", str(port))
        pages[f"/{article.slug}/"] = Page(html.encode())
    sitemaps = []
    for number, start in enumerate(range(0, len(articles), SITEMAP_SIZE), start=1):
        part = articles[start : start + SITEMAP_SIZE]
        pages[f"/post-sitemap{number}.xml"] = sitemap_page("url", [(f"{base}/{a.slug}/", a.published) for a in part])
        sitemaps.append((f"{base}/post-sitemap{number}.xml", max(a.published for a in part)))
    pages["/sitemap_index.xml"] = sitemap_page("sitemap", sitemaps)
    pages["/feed/"] = feed_page(base, articles, 1)
    pages["/robots.txt"] = Page(f"{ROBOTS_TXT}Sitemap: {base}/sitemap_index.xml\n".encode(), content_type="text/plain")
    return pages


def crawl(site: FixtureSite, database_url: str, *arguments: str) -> Measured:
    """One real crawl: its wall time (process start to exit) and the CPU time of its process tree."""
    command = crawl_command(database_url, f"start_url={site.url}", "max_pages=0", *arguments, settings=BENCH_SETTINGS)
    return run_measured(command, PROJECT_ROOT, dict(os.environ))


def last_run(database_url: str) -> tuple[int, int]:
    """Requests sent and articles archived by the last crawl."""
    [(requests, new)] = query(database_url, "SELECT requests, articles_new FROM crawl_runs ORDER BY id DESC LIMIT 1")
    return requests, new


def snapshots(database_url: str) -> int:
    return query(database_url, "SELECT COUNT(*) FROM snapshots")[0][0]


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--db", help="archive URL (default: a fresh SQLite file); must be an empty archive")
    args = parser.parse_args()

    adopt_orphans()
    now = datetime.now(UTC).replace(microsecond=0)
    articles = [generated_article(n, now - timedelta(hours=2 + n)) for n in range(args.articles)]
    with tempfile.TemporaryDirectory() as directory, serve_fixture_site() as site:
        database_url = args.db or f"sqlite:///{directory}/archive.db"
        site.publish(build(articles, site.port))
        article_paths = {f"/{a.slug}/" for a in articles}

        first = crawl(site, database_url)
        first_requests, first_new = last_run(database_url)
        print(f"1. first crawl: {first_requests} requests, {first_new} articles archived, {first.wall_seconds:.1f} s, CPU {first.cpu_seconds:.1f} s")

        before = snapshots(database_url)
        again = crawl(site, database_url)
        requests, _ = last_run(database_url)
        share = requests / first_requests
        written = snapshots(database_url) - before
        print(
            f"2. immediate re-crawl, defaults: {requests} requests = {share:.1%} of the first crawl's "
            f"(target <= 5%: {verdict(share <= 0.05)}), {written} new snapshots (target 0: {verdict(written == 0)}), "
            f"{again.wall_seconds:.2f} s, CPU {again.cpu_seconds:.2f} s"
        )

        site.answers.clear()
        rechecked = crawl(site, database_url, "recheck=all")
        statuses = [answer.status for answer in site.answers if answer.path in article_paths]
        answered_304 = statuses.count(304) / max(len(statuses), 1)
        time_share = rechecked.wall_seconds / first.wall_seconds
        print(
            f"3. recheck=all, unchanged site: {statuses.count(304)} of {len(statuses)} article requests answered 304 = "
            f"{answered_304:.1%} (target >= 90%: {verdict(answered_304 >= 0.9)}); {rechecked.wall_seconds:.1f} s = {time_share:.1%} "
            f"of the first crawl (target <= 30%: {verdict(time_share <= 0.3)}), CPU {rechecked.cpu_seconds:.1f} s"
        )

        fresh = generated_article(args.articles, now)
        site.publish(build([fresh, *articles], site.port))
        latest = crawl(site, database_url)
        archived = query(database_url, "SELECT COUNT(*) FROM articles WHERE url = :url", url=f"{site.url}{fresh.slug}/")[0][0]
        requests, _ = last_run(database_url)
        print(
            f"4. new article on the front page, default re-crawl: archived {bool(archived)}, {requests} requests, "
            f"{latest.wall_seconds:.2f} s process start to exit (target < 5 s: {verdict(bool(archived) and latest.wall_seconds < 5)}), "
            f"CPU {latest.cpu_seconds:.2f} s"
        )


if __name__ == "__main__":
    main()
