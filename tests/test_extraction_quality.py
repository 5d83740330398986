"""Evaluation gate: the extractor's scores on the development sets never fall below the stored floors.

The sets are real pages with human-made (body) and publisher-parser (metadata) truths,
kept beside the project in ``../shared``; ``tests/quality_floors.toml`` holds the floors.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bench.evaluation import BODY_SET, METADATA_SET, extract_project, load_body_set, load_metadata_set, run
from bench.fields import mean_scores
from bench.scoring import aggregate

FLOORS = tomllib.loads((Path(__file__).with_name("quality_floors.toml")).read_text(encoding="utf-8"))


def _require(directory: Path) -> None:
    if not (directory / "ground-truth.json").is_file():
        pytest.skip(f"evaluation set not found at {directory}")


def test_body_extraction_stays_above_its_floors() -> None:
    _require(BODY_SET)
    total = aggregate(run("project", extract_project, load_body_set()).body_scores.values())
    scores = {"precision": total.precision, "recall": total.recall, "f1": total.f1}
    below = {name: round(scores[name], 4) for name, floor in FLOORS["body"].items() if scores[name] < floor}
    assert not below, f"body scores below their floors {FLOORS['body']}: {below}"


def test_metadata_extraction_stays_above_its_floors() -> None:
    _require(METADATA_SET)
    scores = mean_scores(run("project", extract_project, load_metadata_set()).field_scores.values())
    below = {name: round(scores[name], 4) for name, floor in FLOORS["metadata"].items() if scores[name] < floor}
    assert not below, f"metadata scores below their floors {FLOORS['metadata']}: {below}"
