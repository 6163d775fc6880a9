"""Shared fixtures: personas for every role (as in healthchecks' tests), reference data, and
the test clock.

The clock
---------
No test may depend on the date or time it runs at: CI runs on a fresh clone at any hour. A
test that compares times with "now" (anything "past", "upcoming", "today", "has begun",
"running for 15 minutes", an age, a deadline, a year range) builds its times from
``timezone.now()`` / ``timezone.localdate()`` called inside the test (not in a module constant
or a parametrize list: those are computed at import, before the clock of the test is set),
never assumes that "today at 09:00" is over or "today at 14:00" is still ahead, and does not
use a literal date as "past" or "future".

Such tests carry the ``clock`` marker (on the test, class or module). Every ``clock`` test runs
once at each moment of ``FIXED_NOWS`` below, the test id naming the moment (start, middle and
end of a day, a Sunday, New Year's Eve, both DST changes in Europe/Berlin, a leap day):
time-machine moves the clock of this process there and lets it tick on (the ``clock_now``
fixture gives that moment; None on the real clock). Mark a new test ``clock`` when its outcome
could depend on the date or the time of day; to stop the clock inside a test (e.g. to keep
steps within one rate-limit window) use ``time_machine.travel(timezone.now(), tick=False)``.

To find a clock-sensitive test nobody marked, run any part of the suite at one fixed moment:
``pytest --now=2027-12-31T23:59:30+01:00`` or ``PORTAL_TEST_NOW=... pytest``; ``make
test-clock`` runs the suite so at two unusual moments (``clock`` tests then run only at that
moment). Tests marked ``browser`` or ``worker`` always keep the real clock: Chromium and the
Celery worker are other processes with the real clock, so those tests build their times from
the real now. Neither are file modification times moved.
"""

import os
from datetime import datetime

import pytest
import time_machine
from django.utils import translation

from accounts.models import Role
from coesfeld_strategy.celery import app as celery_app
from strategy.models import Municipality
from strategy.services import process_create, reference_data_load
from tests.factories import UserFactory

# Unit tests run tasks in-process; tests marked `worker` start a real worker instead.
celery_app.conf.task_always_eager = True

# The moments every `clock` test runs at (Europe/Berlin offsets written out). Both DST changes
# fall on Sundays; the turn of the year stands for the start and the end of any day.
FIXED_NOWS = [
    "2027-06-16T12:00:00+02:00",  # a Wednesday, midday
    "2027-12-31T23:59:30+01:00",  # New Year's Eve, seconds before the day and year change
    "2028-01-01T00:00:30+01:00",  # just after midnight: nothing "today" began yet, and the
    # date (and year) in UTC is still the day before
    "2027-03-28T01:59:00+01:00",  # Sunday, DST starts: the minute before 02:00 becomes 03:00
    "2027-03-28T03:01:00+02:00",  # Sunday, DST starts: the minute after
    "2027-10-31T02:30:00+02:00",  # Sunday, DST ends: 02:30 summer time, the hour that repeats
    "2027-10-31T02:30:00+01:00",  # Sunday, DST ends: 02:30 winter time, the repeat
    "2028-02-29T12:00:00+01:00",  # a leap day (29 February: no such day in most years)
]
# Tests that talk to another process (Chromium, a Celery worker) keep the real clock; so do
# tests with the live server (a browser or HTTP client on the other side).
REAL_CLOCK_MARKERS = ("browser", "worker")


def pytest_addoption(parser):
    parser.addoption(
        "--now",
        default=os.environ.get("PORTAL_TEST_NOW") or None,
        help="run every test (except browser/worker tests) with the clock moved to this ISO "
        "8601 moment, e.g. 2027-12-31T23:59:30+01:00 (default: $PORTAL_TEST_NOW)",
    )


def _fixed_now(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise pytest.UsageError(f"--now/PORTAL_TEST_NOW needs a UTC offset: {text!r}")
    return moment


def pytest_configure(config):
    if config.getoption("--now"):
        _fixed_now(config.getoption("--now"))


def pytest_generate_tests(metafunc):
    """Run each `clock` test at every moment of FIXED_NOWS, unless one moment was given."""
    if not metafunc.definition.get_closest_marker("clock"):
        return
    for name in REAL_CLOCK_MARKERS:
        if metafunc.definition.get_closest_marker(name):
            raise pytest.UsageError(
                f"{metafunc.definition.nodeid}: a `{name}` test cannot move the clock; "
                "build its times from the real now and drop the `clock` marker"
            )
    if not metafunc.config.getoption("--now"):
        metafunc.parametrize("clock_now", FIXED_NOWS, indirect=True, ids=FIXED_NOWS)


@pytest.fixture(autouse=True)
def clock_now(request):
    """The moment this test started at: a fixed one (see the module docstring) while
    time-machine moves the clock there and lets it tick, or None on the real clock."""
    text = getattr(request, "param", None) or request.config.getoption("--now")
    other_process = any(request.node.get_closest_marker(m) for m in REAL_CLOCK_MARKERS)
    if not text or other_process or "live_server" in request.fixturenames:
        yield None
        return
    moment = _fixed_now(text)
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture(autouse=True)
def _german(settings):
    """Every test starts in German: a request with another language must not leak into the
    next test that runs in the same worker."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test gets its own empty cache (rate limits), even when Redis is configured.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def reference(db):
    reference_data_load()
    return {m.name: m for m in Municipality.objects.all()}


@pytest.fixture
def process(reference):
    return process_create(title="Digitalstrategie Kreis Coesfeld", year=2027)


@pytest.fixture
def personas(reference):
    """One account per role; two municipal representatives of different municipalities."""
    return {
        "district_staff": UserFactory(
            role=Role.DISTRICT_STAFF, municipality=reference["Kreis Coesfeld"]
        ),
        "consultant": UserFactory(role=Role.CONSULTANT),
        "rep_duelmen": UserFactory(role=Role.MUNICIPAL_REP, municipality=reference["Dülmen"]),
        "rep_nottuln": UserFactory(role=Role.MUNICIPAL_REP, municipality=reference["Nottuln"]),
        "working_group": UserFactory(role=Role.WORKING_GROUP),
        "councillor": UserFactory(role=Role.COUNCILLOR, municipality=reference["Coesfeld"]),
        "admin": UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True),
    }


@pytest.fixture
def start_worker(monkeypatch, settings):
    """Start real Celery workers, each on a queue of its own so that no other worker takes the
    test's tasks: ``start(*tasks, pool="solo", env=None, **limits)`` reroutes ``task.delay`` of
    each given task to the new queue (with Celery's time limits in ``limits``) and returns the
    worker's process (``.queue`` names its queue). The worker uses the test database and the
    test's ``MEDIA_ROOT``; it is stopped, with its output printed, after the test."""
    import uuid

    from tests.real_services import process_stop, worker_process

    processes = []

    def start(*tasks, pool="solo", env=None, **limits):
        queue = f"test-{uuid.uuid4().hex[:8]}"
        process = worker_process(
            queue=queue, pool=pool, env={"MEDIA_ROOT": str(settings.MEDIA_ROOT), **(env or {})}
        )
        process.queue = queue
        processes.append(process)
        celery_app.conf.task_always_eager = False
        for task in tasks:

            def delay(*args, _task=task):
                return _task.apply_async(args=args, queue=queue, **limits)

            monkeypatch.setattr(task, "delay", delay)
        return process

    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = True
        for process in processes:
            process_stop(process)
