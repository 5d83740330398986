"""Running from cron: README's crontab line works with cron's bare environment; the crawl reads its settings from the environment."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from crawler.profiles import load_profiles
from tests.crawl import LOCAL_SITE_SETTINGS, PROJECT_ROOT, query, run_crawl, write_profile
from tests.fixture_site import ARTICLES, FixtureSite

CRON_PATH = "/usr/bin:/bin"
"""The PATH cron gives a job: no virtualenv on it."""
CRON_LINE = re.compile(
    r"^(?:\S+\s+){5}(?P<command>cd /path/to/technews-archive && /path/to/venv/bin/scrapy crawl news >> crawl\.log 2>&1)$", re.MULTILINE
)


def readme_cron_command() -> str:
    """The command of README's crontab line (its shape checked: project directory, the environment's scrapy, the log)."""
    block = re.search(r"```cron\n(.*?)```", (PROJECT_ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    assert block, "README.md has a ```cron block"
    line = CRON_LINE.search(block.group(1))
    assert line, f"README's crontab line changed shape:\n{block.group(1)}"
    return line.group("command")


def test_readme_crontab_line_runs_with_the_path_cron_gives(fixture_site: FixtureSite, sqlite_url: str, tmp_path: Path) -> None:
    profiles, log = tmp_path / "profiles", tmp_path / "crawl.log"
    profiles.mkdir()
    write_profile(profiles, fixture_site.url)
    for builtin in load_profiles():  # a bare `scrapy crawl news` crawls every enabled profile: only the local one here
        write_profile(profiles, fixture_site.url, name=builtin, enabled="false")
    local_settings = " ".join(f"-s {setting}" for setting in LOCAL_SITE_SETTINGS)
    command = (
        readme_cron_command()
        .replace("/path/to/technews-archive", str(PROJECT_ROOT))
        .replace("/path/to/venv", sys.prefix)
        .replace("crawl news", f"crawl news {local_settings}")
        .replace("crawl.log", str(log))
    )
    # As crontab variable lines would set them; nothing else of this environment is passed.
    environment = [f"PATH={CRON_PATH}", f"ARCHIVE_DATABASE_URL={sqlite_url}", f"ARCHIVE_PROFILES_DIR={profiles}"]
    result = subprocess.run(["env", "-i", *environment, "sh", "-c", command], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, log.read_text() if log.exists() else result.stderr
    assert "Spider closed (finished)" in log.read_text()
    assert query(sqlite_url, "SELECT COUNT(*), MIN(site), MAX(site) FROM articles") == [(len(ARTICLES), "tuxdaily", "tuxdaily")]


def test_a_bare_scrapy_is_not_found_on_that_path() -> None:
    result = subprocess.run(["env", "-i", f"PATH={CRON_PATH}", "sh", "-c", "scrapy version"], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 127, "cron's PATH finds no scrapy: the crontab line must name it by its path"


def test_profiles_dir_comes_from_the_environment_and_s_wins(fixture_site: FixtureSite, sqlite_url: str, tmp_path: Path) -> None:
    from_environment, from_setting = tmp_path / "environment", tmp_path / "setting"
    from_environment.mkdir()
    from_setting.mkdir()
    write_profile(from_environment, fixture_site.url)
    result = run_crawl(sqlite_url, "site=tuxdaily", "max_pages=1", env={"ARCHIVE_PROFILES_DIR": str(from_environment)})
    assert result.returncode == 0, result.output
    assert query(sqlite_url, "SELECT DISTINCT site FROM articles") == [("tuxdaily",)]

    overridden = run_crawl(
        sqlite_url,
        "site=tuxdaily",
        settings=(f"ARCHIVE_PROFILES_DIR={from_setting}",),
        env={"ARCHIVE_PROFILES_DIR": str(from_environment)},
    )
    assert overridden.returncode != 0
    assert "no site profile named 'tuxdaily'" in overridden.output
