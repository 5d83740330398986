"""Benchmark of extraction: article bodies on ``shared/extraction-dev``, metadata on ``shared/metadata-dev``.

Runs the project's extractor and, in the same run, trafilatura (default settings, and
``favor_precision=True``) on every page of each set. For bodies it prints precision,
recall, F1 and accuracy (``bench/scoring.py``) and milliseconds per page, then the worst
pages of the first extractor; for metadata, each field's score (``bench/fields.py``) and
the pages where the first extractor misses a field, with what it found and what was expected.

Usage, from the project root::

    python bench/extraction.py [--part body|metadata] [--only NAME] [--worst N]
                               [--body-data DIR] [--metadata-data DIR] [--dump DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from bench.evaluation import BODY_SET, EXTRACTORS, METADATA_SET, Page, Run, load_body_set, load_metadata_set, run  # noqa: E402
from bench.fields import FIELDS, mean_scores  # noqa: E402
from bench.scoring import aggregate  # noqa: E402


def print_body_table(runs: list[Run]) -> None:
    """One line per extractor: precision, recall, F1, accuracy and ms/page."""
    width = max(len("extractor"), *(len(r.name) for r in runs))
    print(f"{'extractor':<{width}}  precision  recall     F1  accuracy  ms/page")
    for r in runs:
        total = aggregate(r.body_scores.values())
        print(f"{r.name:<{width}}  {total.precision:9.3f}  {total.recall:6.3f}  {total.f1:5.3f}  {total.accuracy:8.3f}  {r.ms_per_page:7.1f}")


def print_worst_bodies(r: Run, count: int) -> None:
    """The ``count`` pages with the lowest F1 (ties broken by id)."""
    worst = sorted(r.body_scores.items(), key=lambda item: (item[1].f1, item[0]))[:count]
    print(f"\nworst {len(worst)} pages of {r.name}:")
    print("    F1  precision  recall  id")
    for page_id, score in worst:
        print(f"{score.f1:6.3f}  {score.precision:9.3f}  {score.recall:6.3f}  {page_id}")


def print_field_table(runs: list[Run]) -> None:
    """One line per extractor: each metadata field's score, the body F1 and ms/page."""
    width = max(len("extractor"), *(len(r.name) for r in runs))
    print(f"{'extractor':<{width}}  " + "  ".join(f"{name:>13}" for name in FIELDS) + "  body F1  ms/page")
    for r in runs:
        means = mean_scores(r.field_scores.values())
        body = aggregate(r.body_scores.values())
        print(f"{r.name:<{width}}  " + "  ".join(f"{means[name]:13.3f}" for name in FIELDS) + f"  {body.f1:7.3f}  {r.ms_per_page:7.1f}")


def print_field_misses(r: Run, pages: list[Page], count: int) -> None:
    """Up to ``count`` pages per field where ``r`` scores below 1: found versus expected."""
    for name in FIELDS:
        misses = [page for page in pages if r.field_scores[page.id].get(name, 1.0) < 1.0][:count]
        if not misses:
            continue
        print(f"\n{name}: {r.name} misses on {len(misses)} pages shown")
        attribute = "published" if name == "published_day" else name
        for page in misses:
            assert page.metadata is not None
            found = getattr(r.extractions[page.id].metadata, attribute)
            print(f"  {page.id}\n    found:    {found!r}\n    expected: {getattr(page.metadata, attribute)!r}")


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run the extractors and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("body", "metadata"), help="run one benchmark only (default: both)")
    parser.add_argument("--only", choices=EXTRACTORS, metavar="NAME", help=f"one extractor only: {', '.join(EXTRACTORS)}")
    parser.add_argument("--worst", type=int, default=10, metavar="N", help="worst pages (and misses per field) to list")
    parser.add_argument("--body-data", type=Path, default=BODY_SET, metavar="DIR", help="default: %(default)s")
    parser.add_argument("--metadata-data", type=Path, default=METADATA_SET, metavar="DIR", help="default: %(default)s")
    parser.add_argument("--dump", type=Path, metavar="DIR", help="write the first extractor's bodies to DIR/<id>.txt")
    args = parser.parse_args(argv)
    names = [args.only] if args.only else list(EXTRACTORS)

    if args.part in (None, "body"):
        pages = load_body_set(args.body_data)
        runs = [run(name, EXTRACTORS[name], pages) for name in names]
        print(f"bodies: {len(pages)} pages from {args.body_data}\n")
        print_body_table(runs)
        if args.worst > 0:
            print_worst_bodies(runs[0], args.worst)
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            for page_id, extraction in runs[0].extractions.items():
                (args.dump / f"{page_id}.txt").write_text(extraction.body, encoding="utf-8")
    if args.part in (None, "metadata"):
        pages = load_metadata_set(args.metadata_data)
        runs = [run(name, EXTRACTORS[name], pages) for name in names]
        print(f"\nmetadata: {len(pages)} pages from {args.metadata_data}\n")
        print_field_table(runs)
        if args.worst > 0:
            print_field_misses(runs[0], pages, args.worst)


if __name__ == "__main__":
    main()
