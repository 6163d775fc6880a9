"""The readiness check behind ``/health/``: database, broker and Celery workers.

Checking costs up to a few seconds (the worker ping waits for answers), so anonymous callers
must not be able to make the web workers do it on every request: the result is kept for
``HEALTH_CACHE_SECONDS``, in this process and in the shared cache, and only one caller checks
at a time (a lock in this process, ``cache.add`` across processes); everyone else gets the last
result. The cache may be down: then each process still checks at most once per period."""

import logging
import threading
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .celery import app as celery_app

logger = logging.getLogger(__name__)

RESULT_KEY = "health:result"
CHECKING_KEY = "health:checking"
# The checks' own timeouts (broker 1 s, ping 1 s) plus some room: the longest a check takes.
CHECK_SECONDS = 4

OK, ERROR, DEGRADED = "ok", "error", "degraded"

# ``time.time`` (not monotonic): results are compared across processes. Tests replace it.
clock = time.time

_local_lock = threading.Lock()
_local_result: "HealthResult | None" = None


@dataclass(frozen=True)
class HealthResult:
    """One run of the checks. ``workers`` is None when it could not be asked."""

    status: str
    database: str
    broker: str
    workers: int | None
    checked_at: float

    @property
    def http_status(self) -> int:
        return 503 if self.status == ERROR else 200

    def fresh(self, now: float) -> bool:
        return 0 <= now - self.checked_at < settings.HEALTH_CACHE_SECONDS

    def details(self, now: float) -> dict:
        """Everything, for operators (staff or the health token)."""
        return asdict(self) | {"age_seconds": round(max(now - self.checked_at, 0), 1)}


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - reported as "error"; the details go to the log only
        logger.warning("health check: database unavailable", exc_info=True)
        return ERROR
    return OK


def _check_broker() -> str:
    try:
        with celery_app.connection_for_write(
            connect_timeout=1, transport_options={"socket_connect_timeout": 1, "socket_timeout": 1}
        ) as conn:
            conn.ensure_connection(max_retries=0, timeout=1)
    except Exception:  # noqa: BLE001
        logger.warning("health check: broker unavailable", exc_info=True)
        return ERROR
    return OK


def _count_workers() -> int | None:
    try:
        replies = celery_app.control.ping(timeout=1.0)
    except Exception:  # noqa: BLE001 - a transport without broadcast cannot tell
        logger.info("health check: workers could not be asked", exc_info=True)
        return None
    return len(replies)


def _run_checks() -> HealthResult:
    database, broker = _check_database(), _check_broker()
    workers = _count_workers() if broker == OK else None
    if database != OK or broker != OK:
        status = ERROR
    elif not workers:
        status = DEGRADED
    else:
        status = OK
    return HealthResult(status, database, broker, workers, clock())


# The shared cache is optional: every call fails soft (a miss, or "not claimed").
def _cache_call(method: str, *args, default=None, **kwargs):
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception:  # noqa: BLE001
        logger.info("health check: cache unavailable for %s", method, exc_info=True)
        return default


def _shared_result() -> HealthResult | None:
    value = _cache_call("get", RESULT_KEY)
    try:
        return HealthResult(**value) if isinstance(value, dict) else None
    except TypeError:  # written by another version of this module
        return None


def _wait_for_shared(now: float) -> HealthResult | None:
    """The result another process is making right now, if it arrives in time."""
    deadline = time.monotonic() + CHECK_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        result = _shared_result()
        if result is not None and result.fresh(now):
            return result
    return None


def health_result() -> HealthResult:
    """The state of database, broker and workers, checked at most once per
    ``HEALTH_CACHE_SECONDS`` by this process and, while the cache works, by all processes."""
    global _local_result
    with _local_lock:
        now = clock()
        if _local_result is not None and _local_result.fresh(now):
            return _local_result
        shared = _shared_result()
        if shared is not None and shared.fresh(now):
            _local_result = shared
            return shared
        if _cache_call("add", CHECKING_KEY, 1, timeout=CHECK_SECONDS, default=True):
            try:
                result = _run_checks()
                timeout = max(settings.HEALTH_CACHE_SECONDS * 6, 60)
                _cache_call("set", RESULT_KEY, asdict(result), timeout=timeout)
            finally:
                _cache_call("delete", CHECKING_KEY)
        else:
            # Another process is checking: its last result, a little old, will do.
            result = shared or _local_result or _wait_for_shared(now) or _run_checks()
        _local_result = result
        return result
