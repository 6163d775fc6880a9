"""Guests of a live session: people without an account who joined with the join code.

A guest is anonymous to Django. The Django session remembers one workshop session and the
participant's ``guest_key``; with it the guest may use exactly that session's participant
endpoints. Every other page needs a login (LoginRequiredMiddleware) and so stays closed.

Join attempts are rate-limited per client address in the shared cache: failed attempts
(wrong code) strictly, all attempts generously, because a whole room usually shares one
public address."""

import time

from django.conf import settings
from django.core.cache import cache

from .models import Participant

SESSION_KEY = "live_guest"
RATE_WINDOW_SECONDS = 10 * 60


def _limits() -> tuple[int, int]:
    return (
        getattr(settings, "LIVE_JOIN_FAILURES_PER_ADDRESS", 10),
        getattr(settings, "LIVE_JOIN_ATTEMPTS_PER_ADDRESS", 200),
    )


def guest_remember(request, participant: Participant) -> None:
    """Make the browser the guest ``participant`` of its session (and of no other)."""
    # A new session key on joining: a session id planted before cannot be taken over.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"session": participant.session_id, "key": participant.guest_key}


def guest_key(request, session_id: int | None = None) -> str | None:
    """The guest key the browser holds (for ``session_id``, if given)."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    if session_id is not None and data.get("session") != session_id:
        return None
    return data.get("key")


def guest_participant(request, session_id: int) -> Participant | None:
    """The guest participant of ``session_id`` this browser joined as, with the session, its
    workshop and current activity (one query); None for everybody else."""
    key = guest_key(request, session_id)
    if not key:
        return None
    return (
        Participant.objects.select_related("session__workshop", "session__live_activity")
        .filter(guest_key=key, session_id=session_id, user__isnull=True)
        .first()
    )


def client_address(request) -> str:
    """The client's address; behind ``PROXY_COUNT`` proxies the one the outermost proxy saw."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(request) -> tuple[str, str]:
    # Fixed ten-minute windows: the key names the window, so no backend has to keep a timeout
    # across incr() (the file cache would reset it).
    address = client_address(request)
    window = int(time.time() // RATE_WINDOW_SECONDS)
    return f"live-join:fail:{address}:{window}", f"live-join:all:{address}:{window}"


def _increment(key: str) -> None:
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, RATE_WINDOW_SECONDS)


def join_blocked(request) -> bool:
    """Too many join attempts from this address in the last ten minutes."""
    max_failures, max_attempts = _limits()
    failures_key, attempts_key = _keys(request)
    counts = cache.get_many([failures_key, attempts_key])
    return (
        counts.get(failures_key, 0) >= max_failures or counts.get(attempts_key, 0) >= max_attempts
    )


def join_attempt_record(request, *, failed: bool) -> None:
    failures_key, attempts_key = _keys(request)
    _increment(attempts_key)
    if failed:
        _increment(failures_key)
