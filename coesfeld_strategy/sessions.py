"""Sessions kept in the database and cached for a few minutes (``SESSION_ENGINE``).

The database is the record; the cache (Redis) saves the query on most requests. While Redis
is unreachable the fail-soft cache (``coesfeld_strategy.cache``) drops writes and deletions,
so a session ended during an outage (logout, a new key at login) may still be cached when
Redis comes back with its data. Keeping cached copies for ``SESSION_CACHE_SECONDS`` only
(default five minutes, instead of the session's whole lifetime) bounds how long such a stale
copy can be used; a cache miss costs one query."""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore


class _ShortLived:
    """The session cache with every entry's lifetime capped at ``seconds``."""

    def __init__(self, cache, seconds: int):
        self._cache, self._seconds = cache, seconds

    def _capped(self, timeout):
        return self._seconds if timeout is None else min(timeout, self._seconds)

    def set(self, key, value, timeout=None, **kwargs):
        return self._cache.set(key, value, self._capped(timeout), **kwargs)

    async def aset(self, key, value, timeout=None, **kwargs):
        return await self._cache.aset(key, value, self._capped(timeout), **kwargs)

    def __contains__(self, key):
        return key in self._cache

    def __getattr__(self, name):
        return getattr(self._cache, name)

    def __str__(self):
        return str(self._cache)


class SessionStore(CachedDBStore):
    """``cached_db`` sessions whose cached copies expire after a few minutes."""

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _ShortLived(self._cache, getattr(settings, "SESSION_CACHE_SECONDS", 300))
