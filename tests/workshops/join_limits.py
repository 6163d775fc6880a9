"""Helpers of the join-code limit tests: a clock the test sets instead of the wall clock."""

import pytest

from workshops import guests


class JoinClock:
    """The clock of the join limits (``workshops.guests._now``), moved by the test."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(name="join_clock")
def join_clock_fixture(monkeypatch) -> JoinClock:
    """Start at the beginning of a ten-minute window of the per-address limits."""
    clock = JoinClock(3_166_667 * guests.RATE_WINDOW_SECONDS)
    monkeypatch.setattr(guests, "_now", clock)
    return clock
