"""The crawl queue: a Celery app whose jobs are whole site crawls, and beat's schedule of the enabled profiles.

``celery -A crawler.queue worker`` runs jobs; each job is one ``scrapy crawl
news`` of one site in a process of its own (``crawl_site``), so a crawl that
crashes or leaks never takes the worker down. ``scrapy enqueue`` puts jobs on
the queue; ``celery -A crawler.queue beat`` enqueues each enabled profile
every ``every`` (its profile key; ``ARCHIVE_QUEUE_EVERY`` by default).

The queue carries jobs only (a job is the crawl's ``-a`` and ``-s`` values,
``crawler.jobs``); pages and articles go to the archive. Jobs are acknowledged
when they end, not when they start (``task_acks_late``): the job of a worker
that dies is delivered again, by RabbitMQ at once, by Redis once it has been
unacknowledged for ``ARCHIVE_QUEUE_REDELIVER_SECONDS``. A job for a site that
another crawl holds the lock of (a duplicate, or a redelivery of a crawl still
running) ends at once: the crawl finishes with reason ``locked``, and the job
is dropped with a log line and counted (``crawl_runs``, the job's result),
never retried. A crawl that fails (exit status 1 or 3, or killed) is retried
``ARCHIVE_QUEUE_RETRIES`` times with a doubling delay; a job that can never
run (an unknown site, a bad argument) fails once, with its error line.
"""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.beat import PersistentScheduler
from celery.utils.log import get_task_logger
from scrapy.settings import BaseSettings
from scrapy.utils.project import get_project_settings
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from archive.db import ArchiveError, error_reason, open_archive
from archive.models import CrawlRun
from archive.site_locks import LOCKED
from crawler.arguments import ArgumentError, CrawlMode, chosen_profiles, parse_arguments
from crawler.durations import parse_duration
from crawler.jobs import CrawlJob, JobError, check_job, crawl_command
from crawler.profiles import ProfileError, load_profiles

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""Where ``scrapy crawl`` runs (``scrapy.cfg``)."""
CRAWL_TASK = "crawler.queue.crawl_site"

logger = get_task_logger(__name__)


class JobRefused(ValueError):
    """A job that can never run (its arguments, settings or site are wrong): it fails once, without retries."""


class CrawlFailed(RuntimeError):
    """A job's crawl ended with a failing exit status, or was killed: retried, then failed with this."""


def redelivery_seconds(settings: BaseSettings) -> float:
    return settings.getfloat("ARCHIVE_QUEUE_REDELIVER_SECONDS")


def queue_app(settings: BaseSettings) -> Celery:
    """A Celery app for the queue of these settings: its broker, queue name and delivery rules."""
    name = settings.get("ARCHIVE_QUEUE_NAME")
    redeliver = redelivery_seconds(settings)
    app = Celery("crawler.queue")
    app.conf.update(
        broker_url=settings.get("ARCHIVE_QUEUE_URL"),
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            # Redis only (RabbitMQ redelivers the jobs of a lost connection itself).
            "global_keyprefix": f"{name}:",
            "visibility_timeout": redeliver,
            # How often workers look for jobs unacknowledged for too long: often enough to redeliver in time.
            "unacked_restore_interval": max(1.0, min(10.0, redeliver / 10)),
            "unacked_restore_throttle": 1,
        },
        task_default_queue=name,
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        beat_scheduler="crawler.queue:ProfileScheduler",
    )
    return app


SETTINGS = get_project_settings()
app = queue_app(SETTINGS)


def job_settings(job: CrawlJob) -> BaseSettings:
    """The settings the job's crawl will have: the project's, then the job's ``-s`` values."""
    settings = SETTINGS.copy()
    settings.setdict(job.settings, priority="cmdline")
    return settings


def retry_delay(retries: int) -> float:
    """Seconds before retry number ``retries + 1``: doubling, but short of the redelivery time.

    A job waiting for its retry is held by a worker, unacknowledged: Redis would deliver it a
    second time if it waited longer than ``ARCHIVE_QUEUE_REDELIVER_SECONDS``.
    """
    return min(SETTINGS.getfloat("ARCHIVE_QUEUE_RETRY_SECONDS") * 2.0**retries, redelivery_seconds(SETTINGS) / 2)


def finished_run(database_url: str, job_id: str, pid: int) -> CrawlRun | None:
    """The ``crawl_runs`` row the job's crawl process wrote, if it wrote one."""
    archive = open_archive(database_url, upgrade=False)
    try:
        with archive.sessions() as session:
            return session.scalars(select(CrawlRun).where(CrawlRun.job == job_id, CrawlRun.pid == pid).order_by(CrawlRun.id.desc())).first()
    finally:
        archive.close()


@app.task(bind=True, name=CRAWL_TASK, max_retries=SETTINGS.getint("ARCHIVE_QUEUE_RETRIES"), throws=(JobRefused, CrawlFailed))  # type: ignore[untyped-decorator]
def crawl_site(self: Task, arguments: object, settings: object) -> dict[str, Any]:
    """Run the crawl of one job in a process of its own; returns what came of it."""
    try:
        job = check_job(arguments, settings)
        crawl_settings = job_settings(job)
        if job.arguments.mode is CrawlMode.ALL:
            raise JobError("a job crawls one site: it needs -a site, -a profile or -a start_url")
        [site] = chosen_profiles(job.arguments, crawl_settings.get("ARCHIVE_PROFILES_DIR"))
    except (ArgumentError, ProfileError, JobError) as error:
        logger.error("error: %s (job %s refused, not retried)", error, self.request.id)
        raise JobRefused(str(error)) from None
    attempt = f"job {self.request.id}, try {self.request.retries + 1} of {self.max_retries + 1}"
    command = crawl_command(job, {"ARCHIVE_JOB_WORKER": self.request.hostname or "", "ARCHIVE_JOB_ID": self.request.id})
    crawl = subprocess.Popen(command, cwd=PROJECT_ROOT)
    logger.info("%s: crawl started, pid %d (%s)", site, crawl.pid, attempt)
    status = crawl.wait()
    result: dict[str, Any] = {"site": site, "exit_status": status, "pid": crawl.pid, "tries": self.request.retries + 1}
    if status != 0:
        failure = f"killed by signal {-status}" if status < 0 else f"exit status {status}"
        logger.error("%s: crawl failed, %s (%s)", site, failure, attempt)
        raise self.retry(exc=CrawlFailed(f"{site}: crawl failed, {failure}"), countdown=retry_delay(self.request.retries))
    try:
        run = finished_run(crawl_settings.get("ARCHIVE_DATABASE_URL"), self.request.id, crawl.pid)
    except (ArchiveError, SQLAlchemyError) as error:
        reason = error_reason(error) if isinstance(error, SQLAlchemyError) else str(error)
        logger.warning("%s: crawl done, its run record unreadable: %s (%s)", site, reason, attempt)
        return result
    if run is not None:
        result.update(run=run.id, finish_reason=run.finish_reason, articles_new=run.articles_new, dropped=run.finish_reason == LOCKED)
        if run.finish_reason == LOCKED:
            logger.warning("%s: job dropped, another crawl of the site is running (run %d, %s)", site, run.id, attempt)
    return result


def profile_schedule(settings: BaseSettings) -> dict[str, dict[str, Any]]:
    """Beat's entries: one job per enabled profile, every ``every``. Raises ``ProfileError`` or ``ValueError``."""
    default = parse_duration(settings.get("ARCHIVE_QUEUE_EVERY"))
    schedule: dict[str, dict[str, Any]] = {}
    for name, profile in load_profiles(settings.get("ARCHIVE_PROFILES_DIR")).items():
        if profile.enabled:
            every: timedelta = profile.every or default
            job = CrawlJob(parse_arguments({"site": name}), {})
            schedule[f"crawl {name}"] = {"task": CRAWL_TASK, "schedule": every, "kwargs": job.message()}
    return schedule


class ProfileScheduler(PersistentScheduler):  # type: ignore[misc]
    """Beat's scheduler: the entries of ``profile_schedule``, read from the profiles when beat starts."""

    def setup_schedule(self) -> None:
        try:
            self.app.conf.beat_schedule = profile_schedule(SETTINGS)
        except ValueError as error:  # ProfileError, or an ARCHIVE_QUEUE_EVERY that is not a duration
            logger.critical("error: %s", error)
            raise SystemExit(1) from None
        super().setup_schedule()
        for name, entry in sorted(self.app.conf.beat_schedule.items()):
            logger.info("%s every %s", name, entry["schedule"])
