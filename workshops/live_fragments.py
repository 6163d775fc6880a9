"""Polled fragments rendered once and shared by everybody who polls them.

Sixty phones polling every 1.5 seconds must not render the same list sixty times. A polled
fragment is therefore rendered once per state — (what, session, revision tokens, language,
current activity) — with *slots* where per-request or per-user values go (the CSRF token, the
countdown, a participant's own dots and ratings, their revision), split at the slots and kept
in the shared cache. Each request fills its own values into the parts: cheap string joins,
no template rendering, no queries for the shared part.

The slot markers contain a random nonce of the render, so text typed by participants can never
be mistaken for a slot. Cached renders live no longer than the revision tokens they are keyed
by, and their key always names the current activity's status and whether its results are
revealed, so a render with revealed results is never served for hidden ones."""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .live_selectors import REVISION_TTL, Timer
from .models import Activity

FRAGMENT_TTL = REVISION_TTL
_OPEN, _CLOSE = "\ue000", "\ue001"


class Slots:
    """The slot markers of one render."""

    def __init__(self):
        self.nonce = secrets.token_hex(6)
        self.pattern = re.compile(f"{_OPEN}{self.nonce}:([^{_CLOSE}]*){_CLOSE}")

    def __call__(self, name: str) -> SafeString:
        return mark_safe(f"{_OPEN}{self.nonce}:{name}{_CLOSE}")

    def split(self, html: str) -> list[str]:
        """Literal text at even, slot names at odd positions."""
        return self.pattern.split(html)


@dataclass
class SlotTimer:
    """A countdown whose remaining time is filled in per request (cached renders age)."""

    ends_at: datetime
    remaining: SafeString
    display: SafeString


def slot_timer(timer: Timer | None, slots: Slots) -> SlotTimer | None:
    if timer is None:
        return None
    return SlotTimer(
        ends_at=timer.ends_at, remaining=slots("timer:remaining"), display=slots("timer:display")
    )


def timer_values(activity: Activity | None) -> dict[str, str]:
    ends_at = getattr(activity, "timer_ends_at", None)
    if not ends_at:
        return {}
    remaining = max(0, int((ends_at - timezone.now()).total_seconds()))
    timer = Timer(ends_at=ends_at, remaining=remaining)
    return {"timer:remaining": str(timer.remaining), "timer:display": timer.display}


def activity_state(activity: Activity | None) -> str:
    """The part of a cache key naming the current activity's state."""
    if activity is None:
        return "none"
    return f"{activity.pk}.{activity.status}.{int(activity.results_revealed)}"


def shared_parts(key: str, template: str, build_context: Callable[[Slots], dict]) -> list[str]:
    """The parts of ``template`` rendered with ``build_context(slots)`` for ``key`` (rendered
    and cached on the first request for this state)."""
    cache_key = f"live:frag:{key}:{get_language()}"
    parts = cache.get(cache_key)
    if parts is None:
        slots = Slots()
        context = build_context(slots)
        html = render_to_string(template, {**context, "csrf_token": slots("csrf")})
        parts = slots.split(html)
        cache.set(cache_key, parts, FRAGMENT_TTL)
    return parts


def fill(parts: list[str], values: dict[str, str], default: Callable[[str], str]) -> str:
    """Join ``parts`` with the values of their slots (``default(name)`` for the others)."""
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            value = values.get(part)
            out.append(default(part) if value is None else value)
        else:
            out.append(part)
    return "".join(out)


def request_values(request, activity: Activity | None) -> dict[str, str]:
    """The per-request values every fragment may need: CSRF token and countdown."""
    return {"csrf": get_token(request), **timer_values(activity)}
