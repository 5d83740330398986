"""End-to-end check on real pages: a site of the dev set's news pages, crawled twice.

Serves the pages of ``../shared/extraction-dev`` as one news site on 127.0.0.1
(index pages listing every page), runs the real ``scrapy crawl news`` on it,
then changes every page's chrome (trending bar, comment counts, ads, footer)
and really edits a tenth of the article bodies, and crawls again asking every
archived article again (``recheck=all``). Prints:
articles found (each once?), body F1 of the archived text against the
ground truth (the benchmark's metric), and the snapshots the second crawl
wrote: one per edited article and none for the rest is the target.

Usage, from the project root::

    python bench/realsite.py [--data DIR] [--edit-every 10]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.pageserver import page_server  # noqa: E402
from bench.scoring import aggregate, page_score  # noqa: E402
from tests.crawl import crawl_command  # noqa: E402

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "extraction-dev"
PAGE_SIZE = 20
EDIT = " Update: this story was corrected after publication to add a missing detail."


def chrome(version: int, rng: random.Random) -> tuple[bytes, bytes]:
    """Markup put after <body> and before </body>: different in every version and page."""
    headlines = ["Kernel 6.13 lands", "Best laptops for Linux", "Why Wayland won", "GNOME vs KDE", "Top 10 distros"]
    trending = "".join(f'<li><a href="/trending/{rng.randrange(999)}/">{h}</a></li>' for h in rng.sample(headlines, 3))
    top = (
        f'<div class="trending-bar"><span>Trending v{version}:</span><ul>{trending}</ul>'
        f'<span class="comment-count">{rng.randrange(500)} comments</span></div>'
    )
    bottom = (
        f'<div class="ad-slot">Advertisement: offer {rng.randrange(10_000)}</div>'
        f'<footer class="site-footer">Visited {rng.randrange(10**6)} times. © {2024 + version}</footer>'
    )
    return top.encode(), bottom.encode()


def with_chrome(html: bytes, version: int, rng: random.Random) -> bytes:
    top, bottom = chrome(version, rng)
    html = re.sub(rb"(<body[^>]*>)", lambda m: m.group(1) + top, html, count=1, flags=re.IGNORECASE)
    return re.sub(rb"(</body>)", lambda m: bottom + m.group(1), html, count=1, flags=re.IGNORECASE)


def edit_point(html: bytes, truth: str) -> int | None:
    """Where a sentence can be added to a paragraph of the page's article (``truth``), or None if nowhere."""
    for paragraph in reversed([p for p in truth.split("\n") if len(p) > 80]):
        anchor = paragraph[:40].encode("utf-8")
        if html.count(anchor) == 1:
            return html.index(anchor) + len(anchor)
    return None


def edited(html: bytes, truth: str) -> bytes | None:
    """The page with one sentence added to a paragraph of its article, or None if none was found."""
    point = edit_point(html, truth)
    return None if point is None else html[:point] + EDIT.encode() + html[point:]


class Site:
    def __init__(self, data: Path, edit_every: int) -> None:
        self.truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
        self.ids = sorted(self.truth)
        self.raw = {i: gzip.decompress((data / "html" / f"{i}.html.gz").read_bytes()) for i in self.ids}
        self.edit_every = edit_every
        self.edited: set[str] = set()
        self.pages: dict[str, bytes] = {}

    def build(self, version: int) -> None:
        rng = random.Random(version)
        pages: dict[str, bytes] = {}
        for number in range(0, len(self.ids), PAGE_SIZE):
            chunk = self.ids[number : number + PAGE_SIZE]
            links = "".join(f'<article><h2><a href="/articles/{i}/">Story {i[:8]}</a></h2></article>' for i in chunk)
            nxt = f'<a class="next" href="/page/{number // PAGE_SIZE + 2}/">Older posts</a>' if number + PAGE_SIZE < len(self.ids) else ""
            path = "/" if number == 0 else f"/page/{number // PAGE_SIZE + 1}/"
            pages[path] = f"<html><body><main>{links}</main>{nxt}</body></html>".encode()
        self.edited = set()
        for index, page_id in enumerate(self.ids):
            html = self.raw[page_id]
            if version > 1 and index % self.edit_every == 0:
                changed = edited(html, self.truth[page_id]["articleBody"])
                if changed is not None:
                    html = changed
                    self.edited.add(page_id)
            pages[f"/articles/{page_id}/"] = with_chrome(html, version, rng)
        self.pages = pages


def serve(site: Site) -> ThreadingHTTPServer:
    def lookup(path: str) -> tuple[bytes, str] | None:
        body = site.pages.get(path)
        return None if body is None else (body, "text/html")

    server = page_server(lookup)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def crawl(url: str, database_url: str, recheck: str = "due") -> float:
    command = crawl_command(
        database_url,
        f"start_url={url}",
        "max_pages=0",
        f"recheck={recheck}",
        settings=("CONCURRENT_REQUESTS_PER_DOMAIN=16", "ROBOTSTXT_OBEY=False", "LOG_LEVEL=WARNING"),
    )
    start = time.perf_counter()
    subprocess.run(command, cwd=PROJECT_ROOT, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--edit-every", type=int, default=10, help="edit the body of every Nth page in version 2")
    args = parser.parse_args()

    site = Site(args.data, args.edit_every)
    site.build(1)
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with tempfile.TemporaryDirectory() as directory:
        database_url = f"sqlite:///{directory}/archive.db"
        engine = create_engine(database_url)
        seconds = crawl(base, database_url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT url, body_text FROM latest_snapshots")).all()
        found = {urlsplit(url).path.split("/")[2]: body for url, body in rows if url.startswith(f"{base}articles/")}
        print(f"crawl 1: {len(site.ids)} pages, {len(rows)} articles archived ({len(found)} distinct pages) in {seconds:.1f} s")
        missing = [i for i in site.ids if i not in found]
        print(f"not archived: {len(missing)} {[m[:8] for m in missing]}")
        scores = [page_score(found.get(i, ""), site.truth[i]["articleBody"]) for i in site.ids]
        total = aggregate(scores)
        print(f"body over all pages: precision {total.precision:.3f} recall {total.recall:.3f} F1 {total.f1:.3f}")

        site.build(2)
        seconds = crawl(base, database_url, recheck="all")  # every archived article asked again, as a late re-check would
        with engine.connect() as connection:
            versions = dict(
                connection.execute(text("SELECT a.url, COUNT(s.id) FROM articles a JOIN snapshots s ON s.article_id = a.id GROUP BY a.url")).all()
            )
        engine.dispose()
        by_page = {urlsplit(url).path.split("/")[2]: count for url, count in versions.items()}
        false_changes = sorted(i[:8] for i, count in by_page.items() if count > 1 and i not in site.edited)
        caught = sorted(i[:8] for i in site.edited if by_page.get(i) == 2)
        missed = sorted(i[:8] for i in site.edited if i in by_page and by_page[i] != 2)
        print(f"crawl 2 ({seconds:.1f} s): {len(site.edited)} articles really edited, {len(caught)} caught, missed {missed}")
        print(f"new snapshots for unedited articles (chrome changes taken for edits): {len(false_changes)} {false_changes}")
    server.shutdown()


if __name__ == "__main__":
    main()
