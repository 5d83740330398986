"""Real crawl-queue processes for tests and benches: Celery workers and beat on a queue of their own, and ``scrapy enqueue``.

Each ``QueueSetup`` has a queue name of its own (with Redis, also the prefix
of every key), so runs that share one Redis server never see each other's
jobs, and a settings module of its own (``SCRAPY_SETTINGS_MODULE``), which the
workers, beat, ``scrapy enqueue`` and the crawls the workers start all read.
Sites are ``RemoteSite``: a generated site that answers like a remote one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from celery import Celery
from kombu.exceptions import OperationalError
from kombu.utils.url import maybe_sanitize_url
from scrapy.settings import Settings

from crawler.queue import queue_app
from tests.crawl import PROJECT_ROOT
from tests.generated_site import GeneratedSite
from tests.local_server import Handler

REDIS_URL = os.environ.get("ARCHIVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


RABBITMQ_URL = os.environ.get("ARCHIVE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def redis_unreachable() -> str | None:
    """Why the test Redis server cannot be used, or None when it answers."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis unreachable at {REDIS_URL}: {error}"
    return None


def rabbitmq_unreachable() -> str | None:
    """Why the test RabbitMQ server cannot be used, or None when it answers."""
    try:
        with Celery(broker=RABBITMQ_URL).connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
    except (OperationalError, OSError) as error:
        return f"RabbitMQ unreachable at {maybe_sanitize_url(RABBITMQ_URL)}: {error}"
    return None


@dataclass
class RemoteSite(GeneratedSite):
    """A generated site whose every answer takes ``delay`` seconds; requests for a host in ``held`` wait for its event."""

    delay: float = 0.0
    held: dict[str, threading.Event] = field(default_factory=dict)

    def respond(self, handler: Handler, host: str, path: str, query: str) -> None:
        gate = self.held.get(host)
        if gate is not None:
            gate.wait(timeout=300)
        time.sleep(self.delay)
        super().respond(handler, host, path, query)


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 120, every: float = 0.3) -> Any:
    """The first true value of ``condition()``, asked every ``every`` seconds; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass
class Worker:
    """A running ``celery -A crawler.queue worker``, the leader of a process group of its own (its crawls included)."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the worker and every process it started: a machine that died."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class QueueSetup:
    directory: Path
    """Where the settings module, the logs and beat's schedule file are written."""
    settings: dict[str, Any]
    """Settings the workers, beat, enqueue and crawls have beyond the project's."""
    queue: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:12]}")
    proxy: dict[str, str] = field(default_factory=dict)
    """Environment variables sending the crawls' requests to the test sites."""
    workers: list[Worker] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.module = f"queue_settings_{self.queue.replace('-', '_')}"
        self.values = {"ARCHIVE_QUEUE_URL": REDIS_URL, "ARCHIVE_QUEUE_NAME": self.queue, **self.settings}
        """Every setting of these processes that is not the project's."""
        lines = "".join(f"{name} = {value!r}\n" for name, value in self.values.items())
        (self.directory / f"{self.module}.py").write_text(
            f'"""Settings of queue {self.queue}."""\n\nfrom crawler.settings import *  # noqa: F403\n\n{lines}'
        )

    @property
    def environment(self) -> dict[str, str]:
        path = os.pathsep.join([str(self.directory), str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")])
        return {**os.environ, **self.proxy, "SCRAPY_SETTINGS_MODULE": self.module, "PYTHONPATH": path}

    def scrapy_settings(self) -> Settings:
        """The settings these processes read, for a queue app in the test process (``crawler.queue.queue_app``)."""
        settings = Settings()
        settings.setmodule("crawler.settings")
        settings.setdict(self.values)
        return settings

    def start_worker(self, name: str, concurrency: int = 1) -> Worker:
        log = self.directory / f"worker-{name}-{len(self.workers)}.log"
        command = [sys.executable, "-m", "celery", "-A", "crawler.queue", "worker", "--concurrency", str(concurrency)]
        command += ["-n", f"{name}@%h", "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=self.environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        worker = Worker(name, process, log)
        self.workers.append(worker)
        wait_for(lambda: " ready." in worker.output() or process.poll() is not None, f"worker {name} to start")
        assert process.poll() is None, worker.output()
        return worker

    def start_beat(self) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crawler.queue",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(self.directory / "beat-schedule"),
        ]
        with (self.directory / "beat.log").open("wb") as output:
            return subprocess.Popen(command, cwd=PROJECT_ROOT, env=self.environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)

    def enqueue(self, *arguments: str, settings: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        """``scrapy enqueue news`` with ``-a`` arguments and ``-s`` settings (``NAME=VALUE``)."""
        command = [sys.executable, "-m", "scrapy", "enqueue", "news"]
        for argument in arguments:
            command += ["-a", argument]
        for setting in settings:
            command += ["-s", setting]
        return subprocess.run(command, cwd=PROJECT_ROOT, env=self.environment, capture_output=True, text=True, timeout=120)

    def queued_jobs(self) -> list[dict[str, Any]]:
        """Take every job waiting on the queue off it: the keyword arguments of each (its ``arguments`` and ``settings``)."""
        jobs = []
        with queue_app(self.scrapy_settings()).connection_for_read() as connection:
            waiting = connection.SimpleQueue(self.queue)
            try:
                while True:
                    message = waiting.get(block=False)
                    jobs.append(message.payload[1])
                    message.ack()
            except waiting.Empty:
                pass
            finally:
                waiting.close()
        return jobs

    def logs(self) -> str:
        return "".join(worker.output() for worker in self.workers)

    def stop(self) -> None:
        """Stop the workers, delete the queue and every Redis key of this setup."""
        for worker in self.workers:
            worker.stop()
        with queue_app(self.scrapy_settings()).connection_for_write() as connection:
            connection.default_channel.queue_delete(self.queue)
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{self.queue}:*"))
        if keys:
            client.delete(*keys)
