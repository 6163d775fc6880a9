"""The test clock of tests/conftest.py: `clock` tests run at every fixed moment, named in their
id, with a clock that ticks on from there; other tests keep the real clock unless --now is
given."""

import time
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests.conftest import FIXED_NOWS


@pytest.mark.clock
def test_a_clock_test_runs_at_the_moment_its_id_names(request, clock_now):
    given = request.config.getoption("--now")
    moment = given or request.node.callspec.params["clock_now"]
    assert given or f"[{moment}]" in request.node.nodeid
    assert clock_now == datetime.fromisoformat(moment)
    # The clock was moved there for this test (not for the session) and ticks on.
    started = time.time()
    assert timedelta(0) <= timezone.now() - clock_now < timedelta(minutes=2)
    time.sleep(0.01)
    assert time.time() > started


def test_the_fixed_moments_cover_the_days_that_break_date_code():
    moments = [datetime.fromisoformat(text) for text in FIXED_NOWS]
    local = [timezone.localtime(moment) for moment in moments]
    assert len(set(moments)) == len(moments)
    assert any(m.hour == 0 and m.minute < 5 for m in local)  # start of a day
    assert any(m.hour == 23 and m.minute > 55 for m in local)  # end of a day
    assert any((m.month, m.day) == (12, 31) for m in local)
    assert any((m.month, m.day) == (2, 29) for m in local)
    assert any(m.weekday() == 6 for m in local)
    # Both DST changes: a summer and a winter offset on the same day, in March and October.
    for month in (3, 10):
        offsets = {m.utcoffset() for m in local if m.month == month}
        assert offsets == {timedelta(hours=1), timedelta(hours=2)}, month


def test_other_tests_keep_the_real_clock_unless_a_moment_is_given(request, clock_now, tmp_path):
    given = request.config.getoption("--now")
    # The file system stamps a new file with the real time, which time-machine does not move.
    stamp = tmp_path / "now"
    stamp.touch()
    real = stamp.stat().st_mtime
    if given:
        assert clock_now == datetime.fromisoformat(given)
        assert abs(timezone.now() - clock_now) < timedelta(minutes=2)
    else:
        assert clock_now is None
        assert abs(timezone.now().timestamp() - real) < 60
