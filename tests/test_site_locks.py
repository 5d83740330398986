"""Site locks in the archive (``archive.site_locks``) on SQLite and PostgreSQL: one holder, stale locks taken over."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from sqlalchemy import update

from archive.db import open_archive
from archive.models import CrawlLock, utc_now
from archive.site_locks import (
    LockOwner,
    acquire_site_lock,
    refresh_site_locks,
    release_site_locks,
)

STALE_AFTER = timedelta(minutes=10)
ME = LockOwner.this_process()
OTHER_HOST = LockOwner("another-machine", 4242)


def dead_pid() -> int:
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return int(process.stdout)


def test_a_live_lock_is_not_taken_and_a_released_one_is(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    assert acquire_site_lock(sessions, "example", OTHER_HOST, STALE_AFTER).acquired
    refused = acquire_site_lock(sessions, "example", ME, STALE_AFTER)
    assert (refused.acquired, refused.holder, refused.taken_over) == (False, OTHER_HOST, None)
    assert acquire_site_lock(sessions, "other-site", ME, STALE_AFTER).acquired, "locks are per site"

    release_site_locks(sessions, ["example"], ME)  # not ours: left alone
    assert not acquire_site_lock(sessions, "example", ME, STALE_AFTER).acquired
    release_site_locks(sessions, ["example"], OTHER_HOST)
    assert acquire_site_lock(sessions, "example", ME, STALE_AFTER).acquired


def test_the_lock_of_a_dead_process_on_this_host_is_taken_over_at_once(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    dead = LockOwner(ME.host, dead_pid())
    assert acquire_site_lock(sessions, "example", dead, STALE_AFTER).acquired
    result = acquire_site_lock(sessions, "example", ME, STALE_AFTER)
    assert (result.acquired, result.taken_over) == (True, dead)


def test_a_lock_whose_heartbeat_stopped_is_taken_over_after_the_stale_timeout(database_url: str) -> None:
    archive = open_archive(database_url)
    assert acquire_site_lock(archive.sessions, "example", OTHER_HOST, STALE_AFTER).acquired
    assert refresh_site_locks(archive.sessions, ["example"], OTHER_HOST) == 1
    assert refresh_site_locks(archive.sessions, ["example"], ME) == 0
    assert not acquire_site_lock(archive.sessions, "example", ME, STALE_AFTER).acquired
    with archive.sessions.begin() as session:
        session.execute(update(CrawlLock).values(heartbeat_at=utc_now() - STALE_AFTER - timedelta(seconds=1)))
    result = acquire_site_lock(archive.sessions, "example", ME, STALE_AFTER)
    assert (result.acquired, result.taken_over) == (True, OTHER_HOST)
    assert refresh_site_locks(archive.sessions, ["example"], OTHER_HOST) == 0, "the old holder learns it lost the lock"
