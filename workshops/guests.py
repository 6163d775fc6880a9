"""Guests of a live session: people without an account who joined with the join code.

A guest is anonymous to Django. The Django session remembers one workshop session and the
participant's ``guest_key``; with it the guest may use exactly that session's participant
endpoints. Every other page needs a login (LoginRequiredMiddleware) and so stays closed.

Join attempts are limited twice. Per browser: after three wrong codes each further one makes
that browser wait, twice as long as the time before (2 s, 4 s, 8 s ... up to a minute), so one
person's typos slow down only that person; the count lives in the browser's Django session
(read through the cache, kept in the database). Per client address, in the shared cache:
wrong codes and all attempts within ten minutes, with limits high enough for a room of 60
people behind one public (NAT) address; they stop a script that drops its cookies to escape
the browser's wait. Guessing within these budgets is hopeless: a code is one of 32⁸ (10¹²)."""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

from .models import Participant

SESSION_KEY = "live_guest"
RATE_WINDOW_SECONDS = 10 * 60
# Per browser: wrong codes without a wait, the first wait, the longest wait (seconds).
BROWSER_FREE_FAILURES = 3
BROWSER_FIRST_WAIT = 2
BROWSER_MAX_WAIT = 60
_BROWSER_KEY = "live_join_failures"


def _now() -> float:
    """The clock of the join limits (tests set it)."""
    return time.time()


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


def _address_keys(request, now: float) -> tuple[str, str, float]:
    """Cache keys of the address's wrong codes and attempts, and when their window ends."""
    # Fixed ten-minute windows: the key names the window, so no backend has to keep a timeout
    # across incr() (the file cache would reset it).
    address = client_address(request)
    window = int(now // RATE_WINDOW_SECONDS)
    ends = (window + 1) * RATE_WINDOW_SECONDS
    return f"live-join:fail:{address}:{window}", f"live-join:all:{address}:{window}", ends


def _increment(key: str) -> None:
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, RATE_WINDOW_SECONDS)


def browser_wait(failures: int) -> int:
    """Seconds a browser waits after its ``failures``-th wrong code in a row."""
    if failures < BROWSER_FREE_FAILURES:
        return 0
    doublings = min(failures - BROWSER_FREE_FAILURES, 16)
    return min(BROWSER_FIRST_WAIT * 2**doublings, BROWSER_MAX_WAIT)


def _browser_failures(request, now: float) -> tuple[int, float]:
    """Wrong codes of this browser in a row, and when the last one was entered."""
    data = request.session.get(_BROWSER_KEY)
    if not isinstance(data, dict):
        return 0, 0.0
    count, at = data.get("count", 0), data.get("at", 0.0)
    if (
        not isinstance(count, int)
        or not isinstance(at, int | float)
        or now - at > RATE_WINDOW_SECONDS
    ):
        return 0, 0.0
    return count, float(at)


@dataclass(frozen=True)
class JoinBlock:
    """Why a join attempt is refused before the code is looked at, and for how long."""

    seconds: int
    by_address: bool

    @property
    def message(self) -> str:
        if self.by_address:
            minutes = max(1, math.ceil(self.seconds / 60))
            return ngettext(
                "Too many attempts to join from your network. Please wait %(minutes)s minute "
                "and try again.",
                "Too many attempts to join from your network. Please wait %(minutes)s minutes "
                "and try again.",
                minutes,
            ) % {"minutes": minutes}
        return ngettext(
            "You have entered a wrong code several times. Please wait %(seconds)s second "
            "before you try again.",
            "You have entered a wrong code several times. Please wait %(seconds)s seconds "
            "before you try again.",
            self.seconds,
        ) % {"seconds": self.seconds}


def join_block(request) -> JoinBlock | None:
    """The wait this browser (or its whole address) has to keep before the next attempt to
    join, or None if it may try now."""
    now = _now()
    failures_key, attempts_key, window_ends = _address_keys(request, now)
    counts = cache.get_many([failures_key, attempts_key])
    if (
        counts.get(failures_key, 0) >= settings.LIVE_JOIN_FAILURES_PER_ADDRESS
        or counts.get(attempts_key, 0) >= settings.LIVE_JOIN_ATTEMPTS_PER_ADDRESS
    ):
        return JoinBlock(seconds=math.ceil(window_ends - now), by_address=True)
    failures, last = _browser_failures(request, now)
    wait = last + browser_wait(failures) - now
    if wait > 0:
        return JoinBlock(seconds=math.ceil(wait), by_address=False)
    return None


def join_attempt_record(request, *, wrong_code: bool = False, joined: bool = False) -> None:
    """Count an attempt to join for the address; a wrong code also for the browser, whose
    count a successful join clears."""
    now = _now()
    failures_key, attempts_key, _ends = _address_keys(request, now)
    _increment(attempts_key)
    if wrong_code:
        _increment(failures_key)
        failures, _last = _browser_failures(request, now)
        request.session[_BROWSER_KEY] = {"count": failures + 1, "at": now}
    elif joined:
        request.session.pop(_BROWSER_KEY, None)
