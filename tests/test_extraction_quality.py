"""Evaluation gate: the extractor's scores on every development set never fall below the stored floors.

The sets are real pages with human-made (body) and publisher-parser (metadata) truths,
kept beside the project in ``../shared`` (``bench/evaluation.py``);
``tests/quality_floors.toml`` holds, per set, the digest of its ground truth (a changed
set cannot pass for an improvement) and the floors of its scores. Where a set is missing
the gate is skipped, except in CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bench.evaluation import EVALUATION_SETS, EvaluationSet, extract_project, run
from bench.fields import mean_scores
from bench.scoring import aggregate

FLOORS: dict[str, Any] = tomllib.loads((Path(__file__).with_name("quality_floors.toml")).read_text(encoding="utf-8"))
BODY_FIGURES = ("precision", "recall", "f1")


def _require(evaluation_set: EvaluationSet) -> None:
    if evaluation_set.present:
        return
    message = f"evaluation set {evaluation_set.name} not found at {evaluation_set.directory}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def test_every_set_has_floors() -> None:
    assert set(FLOORS) == set(EVALUATION_SETS)
    for name, evaluation_set in EVALUATION_SETS.items():
        expected = {f"body_{figure}" for figure in BODY_FIGURES} | (
            {"title", "authors", "published", "published_day"} if evaluation_set.has_metadata else set()
        )
        assert expected <= set(FLOORS[name]["floors"]), name


@pytest.mark.parametrize("name", list(EVALUATION_SETS))
def test_extraction_stays_above_its_floors(name: str) -> None:
    evaluation_set = EVALUATION_SETS[name]
    _require(evaluation_set)
    digest = hashlib.sha256((evaluation_set.directory / "ground-truth.json").read_bytes()).hexdigest()
    assert digest == FLOORS[name]["ground_truth_sha256"], f"{name} changed: measure it anew and store its digest and floors together"
    result = run("project", extract_project, evaluation_set.load())
    assert not result.failures, f"the extractor raised errors: {result.failures}"
    body = aggregate(result.body_scores.values())
    scores = {"body_precision": body.precision, "body_recall": body.recall, "body_f1": body.f1}
    if evaluation_set.has_metadata:
        scores |= mean_scores(result.field_scores.values())
    floors: dict[str, float] = FLOORS[name]["floors"]
    below = {figure: round(scores[figure], 4) for figure, floor in floors.items() if scores[figure] < floor}
    assert not below, f"{name}: scores below their floors {floors}: {below}"


def test_a_missing_set_fails_the_gate_in_ci_and_is_skipped_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = EvaluationSet("missing", tmp_path / "missing", list, has_metadata=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        _require(missing)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        _require(missing)
