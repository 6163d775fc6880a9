"""With Redis down (never there, killed mid-way, or hanging) the portal keeps serving pages:
sessions come from the database, the cache answers like an empty one, and no request waits
long for a Redis that does not answer. Each test runs against a real redis-server of its own
(tests/real_services.py), never the shared one."""

import time

import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from tests.real_services import fail_soft_cache, free_port, redis_server

LOGIN = reverse("accounts:login")
PAGES = ["strategy:dashboard", "accounts:user_list", "workshops:workshop_list"]


@pytest.fixture
def staff(personas, process):
    return personas["district_staff"]


def _log_in(client, user):
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reverse("strategy:dashboard")


def _timed_get(client, name):
    started = time.perf_counter()
    response = client.get(reverse(name))
    return response.status_code, time.perf_counter() - started


def test_login_and_pages_work_when_nothing_listens_on_the_redis_port(client, settings, staff):
    settings.CACHES = fail_soft_cache(f"redis://127.0.0.1:{free_port()}/0")
    assert client.get(LOGIN).status_code == 200
    _log_in(client, staff)
    for name in PAGES:
        status, seconds = _timed_get(client, name)
        assert status == 200, name
        assert seconds < 2, (name, seconds)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("strategy:dashboard")).status_code == 302


def test_pages_keep_working_when_redis_is_killed_mid_way(client, settings, staff):
    with redis_server() as redis:
        settings.CACHES = fail_soft_cache(redis.url())
        _log_in(client, staff)
        # The session is cached in Redis, for a few minutes only (not its 12-hour lifetime).
        (key,) = redis.client().keys("portal:*sessions*")
        assert 0 < redis.client().ttl(key) <= settings.SESSION_CACHE_SECONDS
        assert _timed_get(client, "strategy:dashboard")[0] == 200

        redis.kill()
        for name in PAGES:
            status, seconds = _timed_get(client, name)
            assert status == 200, name
            assert seconds < 2, (name, seconds)
        # Logging out still ends the session (in the database, where it lives).
        client.post(reverse("accounts:logout"))
        assert client.get(reverse("strategy:dashboard")).status_code == 302
        # A new login during the outage works as well.
        _log_in(client, staff)
        assert client.get(reverse("strategy:dashboard")).status_code == 200


def test_a_hanging_redis_costs_one_short_wait_not_one_per_call(client, settings, staff):
    with redis_server() as redis:
        # Leave Redis alone for a minute after a failure, however slow this machine is.
        settings.CACHES = fail_soft_cache(redis.url(), RETRY_AFTER=60)
        _log_in(client, staff)
        redis.freeze()  # accepts connections, never answers
        first = _timed_get(client, "strategy:dashboard")
        assert first[0] == 200 and first[1] < 3, first
        # The cache now leaves Redis alone for a few seconds: no further waits.
        for name in PAGES:
            status, seconds = _timed_get(client, name)
            assert status == 200 and seconds < 1, (name, status, seconds)
        redis.thaw()
