"""The shared cache: Redis that degrades to "no cache" while Redis cannot be reached.

Django's ``RedisCache`` raises ``redis.ConnectionError`` from every call when Redis is down,
and redis-py retries each call ten times with a back-off first. Sessions are read through the
cache (``cached_db``), so a Redis outage turned every logged-in page into a 500. This backend
answers like an empty cache instead (a read misses, a write is dropped), with short socket
timeouts and no retries, and after a failure it does not try Redis again for ``RETRY_AFTER``
seconds, so a hanging Redis slows only one request per process and interval.

What each user of the cache does while Redis is down:

- sessions (``cached_db``): read from and written to the database; see
  ``coesfeld_strategy.sessions`` for why cached copies live only minutes;
- live workshop fragments and revision tokens: rendered anew on every request (more work,
  the same pages);
- rate limits (live join codes, password reset): see the callers; each one decides whether
  an uncountable attempt is allowed (``workshops.guests``) or refused (``accounts``).
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _fail_soft(answer):
    """Run the cache call; while Redis is unreachable return ``answer(*args, **kwargs)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if self.unreachable:
                return answer(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                self._mark_unreachable(error)
                return answer(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return kwargs.get("default", default)


def _missing(key, *args, **kwargs):
    # What Django's cache API says for a key that is not there.
    raise ValueError(f"Key '{key}' not found (the cache is unreachable).")


class FailSoftRedisCache(RedisCache):
    """``RedisCache`` that behaves like an empty cache while Redis is unreachable.

    ``OPTIONS`` are redis-py's connection options; defaults here: 0.25 s to connect, 0.5 s
    per command, no retries. ``OPTIONS["RETRY_AFTER"]`` (seconds, default 5) is how long a
    process leaves Redis alone after a failure."""

    # Per process and server, shared by the per-thread instances Django creates.
    _unreachable_until: dict[str, float] = {}

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._server_key = ",".join(self._servers)

    @property
    def unreachable(self) -> bool:
        """Whether a recent failure says not to try Redis yet."""
        return time.monotonic() < self._unreachable_until.get(self._server_key, 0.0)

    def _mark_unreachable(self, error: Exception) -> None:
        logger.warning(
            "Redis cache unreachable (%s); working without it for %.0f s", error, self.retry_after
        )
        self._unreachable_until[self._server_key] = time.monotonic() + self.retry_after
        # Drop pooled connections, so the next attempt connects afresh.
        self.__dict__.pop("_cache", None)

    get = _fail_soft(_default)(RedisCache.get)
    get_many = _fail_soft(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _fail_soft(lambda *a, **k: False)(RedisCache.has_key)
    add = _fail_soft(lambda *a, **k: False)(RedisCache.add)
    set = _fail_soft(lambda *a, **k: None)(RedisCache.set)
    set_many = _fail_soft(lambda data, *a, **k: list(data))(RedisCache.set_many)
    touch = _fail_soft(lambda *a, **k: False)(RedisCache.touch)
    delete = _fail_soft(lambda *a, **k: False)(RedisCache.delete)
    delete_many = _fail_soft(lambda *a, **k: None)(RedisCache.delete_many)
    incr = _fail_soft(_missing)(RedisCache.incr)
    clear = _fail_soft(lambda *a, **k: False)(RedisCache.clear)
