"""The join-code limits in the cache the portal is configured with: Redis when REDIS_URL is
set (shared by all web processes), else the file cache. This module does not use the
``fresh_cache`` fixture: clearing a Redis cache would flush the whole (shared) database, so
each test gets a key prefix of its own instead."""

import copy
import uuid

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from coesfeld_strategy import settings as project_settings
from tests.workshops.join_limits import join_clock_fixture  # noqa: F401
from tests.workshops.test_live_factories import live_fixture  # noqa: F401
from workshops.models import Participant

pytestmark = pytest.mark.django_db

JOIN = reverse("workshops:live_join")


@pytest.fixture
def configured_cache(settings, tmp_path):
    config = copy.deepcopy(project_settings.CACHES)
    default = config["default"]
    prefix = f"test-join-{uuid.uuid4().hex}"
    default["KEY_PREFIX"] = prefix
    if default["BACKEND"].endswith("FileBasedCache"):
        default["LOCATION"] = str(tmp_path / "cache")
    settings.CACHES = config
    yield default["BACKEND"]
    if default["BACKEND"].endswith("RedisCache"):
        # Remove this test's keys (and only those; sessions would stay for 12 hours).
        client = caches["default"]._cache.get_client(write=True)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)


def _post(client, code, name="Gast"):
    return client.post(JOIN, {"code": code, "display_name": name})


def test_the_address_limit_counts_in_the_configured_cache(live, join_clock, configured_cache):
    backend = type(caches["default"])
    assert f"{backend.__module__}.{backend.__name__}" == configured_cache
    limit = project_settings.LIVE_JOIN_FAILURES_PER_ADDRESS
    # Every wrong code from a new browser: only the address counts them.
    codes = [_post(Client(), "WRONG234").status_code for _ in range(limit + 1)]
    assert codes == [200] * limit + [429]
    assert _post(Client(), live["workshop"].join_code).status_code == 429
    assert _post(Client(REMOTE_ADDR="10.0.0.7"), live["workshop"].join_code).status_code == 302
    # One browser's rising wait lives in its session, which works on this cache too.
    join_clock.advance(600)
    client = Client()
    assert [_post(client, "WRONG234").status_code for _ in range(4)] == [200, 200, 200, 429]
    join_clock.advance(2)
    assert _post(client, live["workshop"].join_code, "Anna").status_code == 302
    assert Participant.objects.count() == 2
