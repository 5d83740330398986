"""Benchmark of extraction on every evaluation set beside the project, against trafilatura in the same run.

Runs the project's extractor and trafilatura (``favor_precision=True``, and its default
settings) on every page of ``shared/metadata-dev``, ``shared/metadata-dev-world`` and
``shared/extraction-dev`` (``bench/evaluation.py``). For each set it prints each
metadata field's score (``bench/fields.py``), the body's precision, recall and F1
(``bench/scoring.py``) and milliseconds per page, then the pages where the first
extractor misses a field, with what it found and what was expected, and its worst bodies;
at the end one table puts every set and extractor side by side. trafilatura runs in this
process, where the project's extractor has put its translations of trafilatura's pruning
queries in place (``crawler/extraction/xpath_subset.py``): the same output as trafilatura
alone, in less time than trafilatura alone takes.

``--without SOURCE`` takes a source of metadata off every page before any extractor reads
it (:data:`SOURCES`): what the fields score then tells how well the fallbacks hold on
pages that lack the source, beyond the pages the rules were tuned on.

Usage, from the project root::

    python bench/extraction.py [--set NAME ...] [--only NAME] [--worst N] [--dump DIR] [--without SOURCE ...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

from lxml.html import HtmlElement, tostring

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from bench.evaluation import EVALUATION_SETS, EXTRACTORS, EvaluationSet, Page, Run, run  # noqa: E402
from bench.fields import FIELDS, mean_scores  # noqa: E402
from bench.scoring import aggregate  # noqa: E402
from crawler.extraction import json_ld  # noqa: E402
from crawler.extraction.meta_tags import meta_name  # noqa: E402
from crawler.extraction.parsing import parse_page  # noqa: E402

BENCH_EXTRACTORS = ("project", "trafilatura-precision", "trafilatura")
"""The extractors run by default, the project first (misses and worst pages are its own)."""
SUMMARY_COLUMNS = (*FIELDS, "body P", "body R", "body F1", "ms/page")
JSON_LD_PROPERTIES = {
    "json-ld-dates": frozenset({"datePublished", "dateCreated", "dateModified", "uploadDate"}),
    "json-ld-headline": frozenset({"headline"}),
    "json-ld-authors": frozenset({"author", "creator"}),
}
"""Sources that are properties of JSON-LD objects, at any depth, by the name ``--without`` gives them."""
DATE_META = re.compile(r"date|time|published|modified|created|issued|updated", re.IGNORECASE)


def _without_json_ld_properties(names: Collection[str]) -> Callable[[HtmlElement], None]:
    def drop(data: Any) -> Any:
        if isinstance(data, list):
            return [drop(item) for item in data]
        if isinstance(data, dict):
            return {key: drop(value) for key, value in data.items() if key not in names}
        return data

    def remove(tree: HtmlElement) -> None:
        for script in json_ld.JSON_LD_SCRIPTS(tree):
            data = json_ld.read_block(script.text or "")
            if data is not None:
                script.text = json.dumps(drop(data), ensure_ascii=False)

    return remove


def _without_json_ld(tree: HtmlElement) -> None:
    for script in json_ld.JSON_LD_SCRIPTS(tree):
        script.drop_tree()


def _without_time_attributes(tree: HtmlElement) -> None:
    for element in tree.iter("time"):
        element.attrib.pop("datetime", None)


def _without_meta(named: Callable[[str], bool]) -> Callable[[HtmlElement], None]:
    """What takes off a page the ``<meta>`` tags whose name (``property``, ``name`` or ``itemprop``) is ``named``."""

    def remove(tree: HtmlElement) -> None:
        for element in list(tree.iter("meta")):
            if named(meta_name(element)):
                element.drop_tree()

    return remove


def _without_h1(tree: HtmlElement) -> None:
    for element in tree.iter("h1"):
        element.tag = "div"


SOURCES: dict[str, Callable[[HtmlElement], None]] = {
    "json-ld": _without_json_ld,
    **{name: _without_json_ld_properties(properties) for name, properties in JSON_LD_PROPERTIES.items()},
    "date-meta": _without_meta(lambda name: DATE_META.search(name) is not None),
    "time-datetime": _without_time_attributes,
    "og-title": _without_meta("og:title".__eq__),
    "twitter-title": _without_meta("twitter:title".__eq__),
    "h1": _without_h1,
}
"""What ``--without`` takes off a page: every JSON-LD block; JSON-LD dates, headlines or authors; the ``<meta>``
tags whose name mentions a date or time (``article:published_time``, ``og:updated_time``, ``dc.date``, ...);
the ``datetime`` attribute of ``<time>`` elements (their text stays); the ``og:title`` or ``twitter:title`` tag;
the ``<h1>`` headings (they become ``<div>``, their text stays)."""


def without_sources(html: str, sources: Collection[str]) -> str:
    """The page with the named :data:`SOURCES` taken off (unchanged where it is not HTML)."""
    tree = parse_page(html)
    if tree is None:
        return html
    for source in sources:
        SOURCES[source](tree)
    return str(tostring(tree, encoding="unicode"))


def _scores(r: Run, has_metadata: bool) -> dict[str, float]:
    """The run's figures by column of :data:`SUMMARY_COLUMNS` (no metadata columns for a body-only set)."""
    body = aggregate(r.body_scores.values())
    figures = mean_scores(r.field_scores.values()) if has_metadata else {}
    return {**figures, "body P": body.precision, "body R": body.recall, "body F1": body.f1, "ms/page": r.ms_per_page}


def print_table(rows: list[tuple[str, dict[str, float]]]) -> None:
    """One line per row label, one column per figure of :data:`SUMMARY_COLUMNS` (blank where absent)."""
    width = max(len("set / extractor"), *(len(label) for label, _ in rows))
    print(f"{'set / extractor':<{width}}  " + "  ".join(f"{name:>13}" for name in SUMMARY_COLUMNS))
    for label, figures in rows:
        cells = (
            f"{figures[name]:13.1f}" if name == "ms/page" else f"{figures[name]:13.3f}" if name in figures else " " * 13 for name in SUMMARY_COLUMNS
        )
        print(f"{label:<{width}}  " + "  ".join(cells))


def print_worst_bodies(r: Run, count: int) -> None:
    """The ``count`` pages with the lowest body F1 (ties broken by id)."""
    worst = sorted(r.body_scores.items(), key=lambda item: (item[1].f1, item[0]))[:count]
    print(f"\nworst {len(worst)} bodies of {r.name}:")
    print("    F1  precision  recall  id")
    for page_id, score in worst:
        print(f"{score.f1:6.3f}  {score.precision:9.3f}  {score.recall:6.3f}  {page_id}")


def print_field_misses(r: Run, pages: list[Page], count: int) -> None:
    """Up to ``count`` pages per field where ``r`` scores below 1: found versus expected."""
    for name in FIELDS:
        misses = [page for page in pages if r.field_scores[page.id].get(name, 1.0) < 1.0]
        if not misses:
            continue
        print(f"\n{name}: {r.name} misses on {len(misses)} pages ({min(count, len(misses))} shown)")
        attribute = "published" if name == "published_day" else name
        for page in misses[:count]:
            assert page.metadata is not None
            found = getattr(r.extractions[page.id].metadata, attribute)
            print(f"  {page.id}\n    found:    {found!r}\n    expected: {getattr(page.metadata, attribute)!r}")


def bench_set(
    evaluation_set: EvaluationSet, names: list[str], worst: int, dump: Path | None, without: Collection[str] = ()
) -> list[tuple[str, dict[str, float]]]:
    """Run the extractors on one set (its pages without the ``without`` sources), print its table, misses and worst
    bodies; return its summary rows."""
    pages = [replace(page, html=without_sources(page.html, without)) if without else page for page in evaluation_set.load()]
    runs = [run(name, EXTRACTORS[name], pages) for name in names]
    rows = [(f"{evaluation_set.name} / {r.name}", _scores(r, evaluation_set.has_metadata)) for r in runs]
    taken_off = f", without {', '.join(without)}" if without else ""
    print(f"\n=== {evaluation_set.name}: {len(pages)} pages from {evaluation_set.directory}{taken_off}\n")
    print_table(rows)
    if worst > 0:
        if evaluation_set.has_metadata:
            print_field_misses(runs[0], pages, worst)
        print_worst_bodies(runs[0], worst)
    if dump:
        directory = dump / evaluation_set.name
        directory.mkdir(parents=True, exist_ok=True)
        for page_id, extraction in runs[0].extractions.items():
            (directory / f"{page_id}.txt").write_text(extraction.body, encoding="utf-8")
    return rows


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run the extractors on each set and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set", action="append", choices=EVALUATION_SETS, dest="sets", metavar="NAME", help=f"one set (repeatable): {', '.join(EVALUATION_SETS)}"
    )
    parser.add_argument("--only", choices=EXTRACTORS, metavar="NAME", help=f"one extractor only: {', '.join(EXTRACTORS)}")
    parser.add_argument("--worst", type=int, default=10, metavar="N", help="worst bodies (and misses per field) to list per set")
    parser.add_argument("--dump", type=Path, metavar="DIR", help="write the first extractor's bodies to DIR/<set>/<id>.txt")
    parser.add_argument(
        "--without",
        action="append",
        choices=SOURCES,
        default=[],
        metavar="SOURCE",
        help=f"a source to take off every page (repeatable): {', '.join(SOURCES)}",
    )
    args = parser.parse_args(argv)
    names = [args.only] if args.only else list(BENCH_EXTRACTORS)
    rows = [row for name in args.sets or EVALUATION_SETS for row in bench_set(EVALUATION_SETS[name], names, args.worst, args.dump, args.without)]
    print("\n=== every set side by side\n")
    print_table(rows)


if __name__ == "__main__":
    main()
