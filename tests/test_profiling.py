"""The bench's profiles: calls profiled into pstats files when ARCHIVE_PROFILE_DIR is set, in workers too; nothing otherwise."""

from __future__ import annotations

import os
import pstats
import time
from pathlib import Path

import pytest

from crawler import profiling
from crawler.page_tasks import read_fetched_page
from crawler.profiling import PROFILE_DIR_VARIABLE, profiled
from crawler.worker_pool import WorkerPool
from tests.fixture_site import ARTICLES, build_site


def profiled_functions(directory: Path, pattern: str) -> set[str]:
    files = [str(path) for path in directory.glob(pattern)]
    assert files, f"no profile {pattern} in {directory}"
    return {name for (_, _, name) in pstats.Stats(*files).stats}  # type: ignore[attr-defined]


def test_without_the_variable_a_function_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PROFILE_DIR_VARIABLE, raising=False)
    assert profiled(read_fetched_page, "read") is read_fetched_page


def test_a_profiled_function_answers_as_before_and_leaves_its_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(PROFILE_DIR_VARIABLE, str(tmp_path))
    monkeypatch.setattr(profiling, "DUMP_SECONDS", 0)
    page = build_site(1, 8000)[f"/{ARTICLES[0].slug}/"].body
    reading = profiled(read_fetched_page, "read")(page, "text/html", "http://127.0.0.1:8000/", None)
    assert reading == read_fetched_page(page, "text/html", "http://127.0.0.1:8000/", None)
    assert {"read_fetched_page", "read_page"} <= profiled_functions(tmp_path, f"read-{os.getpid()}-*.prof")


def test_worker_processes_write_their_own_profiles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(PROFILE_DIR_VARIABLE, str(tmp_path))
    page = build_site(1, 8000)[f"/{ARTICLES[0].slug}/"].body
    pool = WorkerPool(profiled(read_fetched_page, "read"), workers=1, timeout=60)
    try:
        started = time.monotonic()
        while not list(tmp_path.glob("read-*.prof")) and time.monotonic() - started < 30:
            assert pool.submit((page, "text/html", "http://127.0.0.1:8000/", None)).result().reading.body_text
            time.sleep(profiling.DUMP_SECONDS / 5)
    finally:
        pool.close()
    [profile] = tmp_path.glob("read-*.prof")
    assert not profile.name.startswith(f"read-{os.getpid()}-"), "written by the worker process"
    assert "read_page" in profiled_functions(tmp_path, "read-*.prof")
