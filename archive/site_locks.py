"""Site locks: one crawl of a site into an archive at a time, in SQLite and PostgreSQL alike.

A lock is a row of ``crawl_locks`` (site, host, pid, acquired_at,
heartbeat_at) in the archive itself, so it means the same on every backend,
is visible with plain SQL, and is shared by every machine that writes to one
PostgreSQL archive. Taking one is a single serialised transaction. The holder
refreshes ``heartbeat_at`` while it runs and deletes the row when it ends. A
row left by a crawl that died is *stale* and taken over: at once when its
process is known dead (same host, no such pid), otherwise once its heartbeat
is older than the stale timeout (another host, or a reused pid).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from archive.db import serialize_on
from archive.models import CrawlLock, utc_now

LOCKED = "locked"
"""The finish reason of a crawl that found every site it was to crawl locked by another, and crawled nothing."""


@dataclass(frozen=True)
class LockOwner:
    """A crawling process: the machine and process id that hold a lock."""

    host: str
    pid: int

    @classmethod
    def this_process(cls) -> LockOwner:
        return cls(socket.gethostname(), os.getpid())


@dataclass(frozen=True)
class LockResult:
    """The outcome of asking for one site's lock."""

    site: str
    acquired: bool
    holder: LockOwner
    """Who holds the lock now (this process when acquired)."""
    heartbeat_at: datetime
    taken_over: LockOwner | None = None
    """The dead or silent holder whose stale lock was taken over, if any."""


def process_is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user
        return True
    return True


def is_stale(lock: CrawlLock, me: LockOwner, now: datetime, stale_after: timedelta) -> bool:
    if lock.host == me.host and lock.pid != me.pid and not process_is_alive(lock.pid):
        return True
    return now - lock.heartbeat_at > stale_after


def acquire_site_lock(sessions: sessionmaker[Session], site: str, me: LockOwner, stale_after: timedelta) -> LockResult:
    """Take ``site``'s lock for ``me`` unless a live crawl holds it; a stale lock is taken over."""
    now = utc_now()
    with sessions.begin() as session:
        serialize_on(session, f"crawl-lock:{site}")
        lock = session.get(CrawlLock, site)
        if lock is None:
            session.add(CrawlLock(site=site, host=me.host, pid=me.pid, acquired_at=now, heartbeat_at=now))
            return LockResult(site, True, me, now)
        holder = LockOwner(lock.host, lock.pid)
        if not is_stale(lock, me, now, stale_after):
            return LockResult(site, False, holder, lock.heartbeat_at)
        lock.host, lock.pid, lock.acquired_at, lock.heartbeat_at = me.host, me.pid, now, now
        return LockResult(site, True, me, now, taken_over=holder)


def refresh_site_locks(sessions: sessionmaker[Session], sites: list[str], me: LockOwner) -> int:
    """Move the heartbeat of ``me``'s locks on ``sites``; returns how many are still held."""
    with sessions.begin() as session:
        result = session.execute(
            update(CrawlLock).where(CrawlLock.site.in_(sites), CrawlLock.host == me.host, CrawlLock.pid == me.pid).values(heartbeat_at=utc_now())
        )
        return int(getattr(result, "rowcount", 0))


def release_site_locks(sessions: sessionmaker[Session], sites: list[str], me: LockOwner) -> None:
    """Give up ``me``'s locks on ``sites`` (a lock taken over by another crawl is left alone)."""
    with sessions.begin() as session:
        session.execute(delete(CrawlLock).where(CrawlLock.site.in_(sites), CrawlLock.host == me.host, CrawlLock.pid == me.pid))
