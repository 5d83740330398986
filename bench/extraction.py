"""Benchmark of article-body extraction on the development set (``shared/extraction-dev``).

Runs the project's extractor and, for comparison, trafilatura (default settings and
``favor_precision=True``) on every page, scores each with ``bench/scoring.py`` and prints
precision, recall, F1, accuracy and milliseconds per page, then the worst pages of the
first extractor run (the project's unless ``--only`` names another).

Usage, from the project root::

    python bench/extraction.py [--data DIR] [--worst N] [--only NAME] [--dump DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

import trafilatura  # noqa: E402
from w3lib.encoding import html_to_unicode  # noqa: E402

from bench.scoring import PageScore, aggregate, page_score  # noqa: E402
from crawler.extraction import clean_body, extract_article  # noqa: E402

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "extraction-dev"

Extractor = Callable[[str, str], str]
"""Takes a page's decoded HTML and URL, returns its article body as plain text."""


@dataclass(frozen=True)
class Page:
    """One page of the set: its decoded HTML and its true article body."""

    id: str
    url: str
    html: str
    truth: str


@dataclass(frozen=True)
class Run:
    """One extractor's predictions on the set, their scores and the time spent extracting."""

    name: str
    predictions: dict[str, str]
    scores: dict[str, PageScore]
    seconds: float


def extract_project(html: str, url: str) -> str:
    """The project's article body, paragraphs separated by blank lines."""
    page = extract_article(html, url)
    return clean_body(page.body_html, page.metadata.title)


def extract_trafilatura(html: str, url: str) -> str:
    """trafilatura's plain-text output with its default settings."""
    return trafilatura.extract(html, url=url) or ""


def extract_trafilatura_precision(html: str, url: str) -> str:
    """trafilatura's plain-text output with ``favor_precision=True``."""
    return trafilatura.extract(html, url=url, favor_precision=True) or ""


EXTRACTORS: dict[str, Extractor] = {
    "project": extract_project,
    "trafilatura": extract_trafilatura,
    "trafilatura-precision": extract_trafilatura_precision,
}


def load_pages(data: Path) -> list[Page]:
    """The set's pages, in id order, with their HTML decoded per BOM, <meta> or detection."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        _, html = html_to_unicode(None, raw)
        entry = truth[page_id]
        pages.append(Page(id=page_id, url=entry["url"], html=html, truth=entry["articleBody"]))
    return pages


def run(name: str, extractor: Extractor, pages: list[Page]) -> Run:
    """Run one extractor on every page; a page it fails on counts as nothing predicted."""
    predictions: dict[str, str] = {}
    seconds = 0.0
    for page in pages:
        failure: Exception | None = None
        start = time.perf_counter()
        try:
            text = extractor(page.html, page.url)
        except Exception as error:  # noqa: BLE001 - one failing page must not stop the benchmark
            text, failure = "", error
        seconds += time.perf_counter() - start
        if failure is not None:
            print(f"warning: {name} failed on {page.id}: {failure!r}", file=sys.stderr)
        predictions[page.id] = text
    scores = {page.id: page_score(predictions[page.id], page.truth) for page in pages}
    return Run(name=name, predictions=predictions, scores=scores, seconds=seconds)


def print_table(runs: list[Run]) -> None:
    """One line per extractor: precision, recall, F1, accuracy and ms/page."""
    width = max(len("extractor"), *(len(r.name) for r in runs))
    print(f"{'extractor':<{width}}  precision  recall     F1  accuracy  ms/page")
    for r in runs:
        total = aggregate(r.scores.values())
        ms_per_page = 1000 * r.seconds / len(r.scores)
        print(
            f"{r.name:<{width}}  {total.precision:9.3f}  {total.recall:6.3f}  {total.f1:5.3f}"
            f"  {total.accuracy:8.3f}  {ms_per_page:7.1f}"
        )


def print_worst(r: Run, count: int) -> None:
    """The ``count`` pages with the lowest F1 (ties broken by id)."""
    worst = sorted(r.scores.items(), key=lambda item: (item[1].f1, item[0]))[:count]
    print(f"\nworst {len(worst)} pages of {r.name}:")
    print("    F1  precision  recall  id")
    for page_id, score in worst:
        print(f"{score.f1:6.3f}  {score.precision:9.3f}  {score.recall:6.3f}  {page_id}")


def dump(r: Run, directory: Path) -> None:
    """Write each page's predicted text to ``directory/<id>.txt``."""
    directory.mkdir(parents=True, exist_ok=True)
    for page_id, text in r.predictions.items():
        (directory / f"{page_id}.txt").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run the extractors and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="the dev set's directory (default: %(default)s)"
    )
    parser.add_argument(
        "--worst", type=int, default=10, metavar="N", help="how many worst pages to list (default: 10)"
    )
    parser.add_argument(
        "--only", choices=EXTRACTORS, metavar="NAME", help=f"run one extractor only: {', '.join(EXTRACTORS)}"
    )
    parser.add_argument(
        "--dump",
        type=Path,
        metavar="DIR",
        help="write the predicted text of the first extractor run to DIR/<id>.txt",
    )
    args = parser.parse_args(argv)

    pages = load_pages(args.data)
    names = [args.only] if args.only else list(EXTRACTORS)
    runs = [run(name, EXTRACTORS[name], pages) for name in names]
    print(f"{len(pages)} pages from {args.data}\n")
    print_table(runs)
    if args.worst > 0:
        print_worst(runs[0], args.worst)
    if args.dump:
        dump(runs[0], args.dump)


if __name__ == "__main__":
    main()
