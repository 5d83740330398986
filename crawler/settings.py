"""Scrapy settings: polite defaults for real sites, the pipeline order and the ARCHIVE_* settings.

Every value can be overridden per run with ``-s NAME=VALUE``; the database
URL and the directory of user profiles also come from the environment
variables ``ARCHIVE_DATABASE_URL`` and ``ARCHIVE_PROFILES_DIR`` (``-s`` wins
over the environment), as for the ``archive`` command.
"""

import os

# Imported first, while the stack is shallow: its deprecated-class shims call inspect.stack(), whose cost
# grows with the stack's depth and the modules loaded; imported by the downloader deep in the running
# reactor, it cost each crawl about 0.2 s of CPU.
import scrapy.core.downloader.contextfactory  # noqa: F401

from archive.db import database_url_from_env
from crawler.worker_pool import available_cores

BOT_NAME = "technews-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# `scrapy crawl` with exit statuses for cron (see crawler/commands/crawl.py).
COMMANDS_MODULE = "crawler.commands"

# Where the archive lives: any SQLAlchemy URL.
ARCHIVE_DATABASE_URL = database_url_from_env()
# A directory of user site profiles (*.toml) beside the built-in ones; empty for none.
ARCHIVE_PROFILES_DIR = os.environ.get("ARCHIVE_PROFILES_DIR", "")
# Index pages followed per site by default (-a max_pages=N overrides; 0 means no limit).
ARCHIVE_MAX_PAGES = 20
# Where site owners can read about this crawler: the user agent becomes
# "technews-archive/VERSION (+ARCHIVE_CONTACT_URL)" unless USER_AGENT is set.
ARCHIVE_CONTACT_URL = "https://github.com/technews-archive/technews-archive"
# Refuse requests to private, loopback and link-local addresses on behalf of a public site.
ARCHIVE_BLOCK_PRIVATE_ADDRESSES = True
# The longest Retry-After (seconds) waited for before a 429 or 503 is retried; a longer one gives up at once.
ARCHIVE_RETRY_AFTER_MAX = 60

# Notifications after a run: apprise URLs (empty: none), what to notify of (edits, new), the web view's address.
ARCHIVE_NOTIFY = os.environ.get("ARCHIVE_NOTIFY", "")
ARCHIVE_NOTIFY_ON = os.environ.get("ARCHIVE_NOTIFY_ON", "edits")
ARCHIVE_WEB_URL = os.environ.get("ARCHIVE_WEB_URL", "")

# Re-checks (-a recheck=due): an archived article is due when the time since its last
# check exceeds FACTOR x the time since it last changed, kept between MIN and MAX hours.
ARCHIVE_RECHECK_MIN_HOURS = 1.0
ARCHIVE_RECHECK_MAX_HOURS = 720.0
ARCHIVE_RECHECK_FACTOR = 0.25
# Re-checks in a row answered 404/410 after which a gone article is not asked again.
ARCHIVE_GONE_RECHECKS = 3
# Site locks: the running crawl refreshes its lock every HEARTBEAT seconds; a lock whose
# heartbeat is older than STALE seconds (or whose process on this host is dead) is taken over.
# Three missed heartbeats: shorter than the queue's redelivery (ARCHIVE_QUEUE_REDELIVER_SECONDS), so
# the job of a crawl whose machine died is taken over, not dropped, by the worker it comes back to.
ARCHIVE_LOCK_HEARTBEAT_SECONDS = 60.0
ARCHIVE_LOCK_STALE_SECONDS = 180.0

# The crawl queue (`scrapy enqueue`, `celery -A crawler.queue worker|beat`; see crawler/queue.py).
# The broker: a Redis or RabbitMQ URL; also the environment variable ARCHIVE_QUEUE_URL.
ARCHIVE_QUEUE_URL = os.environ.get("ARCHIVE_QUEUE_URL", "redis://127.0.0.1:6379/0")
# The queue's name; with Redis also the prefix of every key, so that several archives share one server.
ARCHIVE_QUEUE_NAME = os.environ.get("ARCHIVE_QUEUE_NAME", "technews-archive")
# How often beat enqueues a profile that has no `every` key ("30m", "2h", "1d").
ARCHIVE_QUEUE_EVERY = "6h"
# Redis: a job not acknowledged this many seconds after its delivery (its worker died) is delivered again.
ARCHIVE_QUEUE_REDELIVER_SECONDS = 280.0
# A failed crawl (exit status 1 or 3, or killed) is retried this many times, after RETRY_SECONDS, then twice that, ...
ARCHIVE_QUEUE_RETRIES = 3
ARCHIVE_QUEUE_RETRY_SECONDS = 60.0
# Set by a queue worker on the crawls it runs, recorded in crawl_runs.worker and crawl_runs.job.
ARCHIVE_JOB_WORKER = ""
ARCHIVE_JOB_ID = ""

# Article pages are read (extracted and cleaned) by this many worker processes beside the
# crawl, so that fetching goes on meanwhile; 0 reads them in the crawl process itself.
ARCHIVE_EXTRACT_WORKERS = os.environ.get("ARCHIVE_EXTRACT_WORKERS") or available_cores()  # also from the environment
# Seconds a page may take in a worker before it is skipped (logged, counted) and the worker replaced.
ARCHIVE_EXTRACT_TIMEOUT = 60.0
# Articles are written in batches, one transaction each: when this many are waiting, and at
# least every BATCH_SECONDS (and at the end of the crawl).
ARCHIVE_WRITE_BATCH_SIZE = 100
ARCHIVE_WRITE_BATCH_SECONDS = 2.0
# Once the spider is open, what the crawl loaded to start is left out of garbage collections (see crawler/startup_heap.py).
ARCHIVE_FREEZE_STARTUP_HEAP = True

# Responses held while they wait to be read (in the workers) before Scrapy stops fetching: with pages of some 140 KB,
# 2 s or so of the workers' reading, so that fetches that stall (a connection the server's backlog refused, tried
# again a second later; a slow answer) do not leave the workers idle. Scrapy's default (5 MB) held a third of a second.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 32_000_000

# Outputs of one callback processed at once: ours yield a few each. Scrapy starts this many
# tasks for every response, so its default (100) costs more CPU than the pipelines do.
CONCURRENT_ITEMS = 16

# Politeness: identify, obey robots.txt, do not hammer.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024  # larger pages (and decompression bombs) are cancelled, never loaded whole
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
DEPTH_LIMIT = 1000  # bounds pagination traps even with -a max_pages=0
COOKIES_ENABLED = False
# No console and no remote-control HTTP server in an unattended crawl: nothing listens on a port.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Breadth-first: the articles of newer index pages are fetched before older index pages are walked.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

ITEM_PIPELINES = {
    "crawler.pipelines.DedupePipeline": 200,
    "crawler.pipelines.ArchivePipeline": 300,
}
EXTENSIONS = {
    "crawler.lock_holder.SiteLockHolder": 400,
    "crawler.run_recorder.CrawlRunRecorder": 500,
    "crawler.notifications.RunNotifications": 505,
    "crawler.failures.RedirectLoops": 510,
    "crawler.failures.FailureLogging": 520,
    "crawler.startup_heap.FreezeStartupHeap": 900,
}
DOWNLOADER_MIDDLEWARES = {
    # Before OffsiteMiddleware (50): a private address is refused, and counted, whatever the domain.
    "crawler.middlewares.PrivateAddressGuard": 40,
    # Between RetryMiddleware (550) and the downloader: waits before RetryMiddleware retries.
    "crawler.middlewares.RetryAfterMiddleware": 560,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
