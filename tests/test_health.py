"""``/health/``: cheap for anonymous callers (one check per period, whoever asks how often),
details only for staff and the monitoring token, and no exception names in the answer."""

import logging
import socket
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from coesfeld_strategy import health
from coesfeld_strategy.celery import app as celery_app

pytestmark = pytest.mark.django_db

NOW = 1_900_000_000.0  # a fixed "now" for the cache period (2030-03-17)
TOKEN = "monitoring-token-0123456789"


@pytest.fixture
def clock(monkeypatch, settings):
    """The health module's clock, set by the test; no result kept from an earlier test."""
    settings.HEALTH_CACHE_SECONDS = 10
    settings.HEALTH_TOKEN = TOKEN
    now = {"t": NOW}
    monkeypatch.setattr(health, "clock", lambda: now["t"])
    monkeypatch.setattr(health, "_local_result", None)
    cache.delete_many([health.RESULT_KEY, health.CHECKING_KEY])  # local memory outlives tests
    return now


@pytest.fixture(autouse=True)
def _log(caplog):
    caplog.set_level(logging.INFO, logger="coesfeld_strategy.health")


@pytest.fixture
def pings(monkeypatch):
    """Counts the worker pings; each takes a moment, as the real one does (up to 1 s)."""
    calls = []

    def ping(timeout):
        calls.append(timeout)
        time.sleep(0.3)
        return [{"celery@test": {"ok": "pong"}}]

    monkeypatch.setattr(celery_app.control, "ping", ping)
    return calls


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(client, **headers):
    response = client.get(reverse("health_ready"), headers=headers)
    return response.status_code, response.json()


def test_anonymous_callers_get_only_the_status(client, clock, pings):
    assert _get(client) == (200, {"status": "ok"})
    assert _get(client, Authorization="Bearer wrong-token") == (200, {"status": "ok"})
    assert _get(client, Authorization=f"Basic {TOKEN}") == (200, {"status": "ok"})


def test_the_token_and_staff_see_the_details(client, clock, pings, personas, settings):
    status, body = _get(client, Authorization=f"Bearer {TOKEN}")
    assert status == 200
    assert body == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "workers": 1,
        "checked_at": NOW,
        "age_seconds": 0,
    }
    clock["t"] += 2.5
    client.force_login(personas["admin"])
    assert _get(client)[1]["age_seconds"] == 2.5
    # Not every signed-in user: the district staff are no operators.
    client.force_login(personas["district_staff"])
    assert _get(client)[1] == {"status": "ok"}
    # Without a token configured, an empty one opens nothing.
    settings.HEALTH_TOKEN = ""
    client.logout()
    assert _get(client, Authorization="Bearer ") == (200, {"status": "ok"})


def test_no_worker_is_degraded_and_not_an_error(client, clock, monkeypatch):
    monkeypatch.setattr(celery_app.control, "ping", lambda timeout: [])
    assert _get(client) == (200, {"status": "degraded"})


def test_a_broker_that_is_down_is_reported_without_exception_names(
    client, clock, pings, monkeypatch, caplog
):
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{_closed_port()}/0")
    assert _get(client) == (503, {"status": "error"})
    clock["t"] += 60
    response = client.get(reverse("health_ready"), headers={"Authorization": f"Bearer {TOKEN}"})
    body = response.json()
    assert response.status_code == 503
    assert (body["status"], body["database"], body["broker"]) == ("error", "ok", "error")
    assert body["workers"] is None and pings == []  # nobody to ask without a broker
    assert "Error" not in response.content.decode() and "Exception" not in response.content.decode()
    # The operator finds the cause in the log.
    assert "health check: broker unavailable" in caplog.text
    assert "OperationalError" in caplog.text or "ConnectionError" in caplog.text


def test_a_database_that_is_down_is_reported_without_exception_names(
    client, clock, pings, monkeypatch, caplog
):
    # A second connection to PostgreSQL (or SQLite) whose server is not there.
    down = connections.create_connection("default")
    down.settings_dict = down.settings_dict | {"PORT": _closed_port(), "NAME": "/nonexistent/db"}
    monkeypatch.setattr(health, "connection", down)
    response = client.get(reverse("health_ready"), headers={"Authorization": f"Bearer {TOKEN}"})
    body = response.json()
    assert response.status_code == 503
    assert (body["status"], body["database"], body["broker"]) == ("error", "error", "ok")
    assert "Error" not in response.content.decode()
    assert "health check: database unavailable" in caplog.text
    assert "OperationalError" in caplog.text
    down.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_cause_one_check_per_period(clock, pings):
    def call_many(n: int) -> list[int]:
        start, statuses = threading.Barrier(n), []

        def call():
            try:
                start.wait()
                statuses.append(Client().get(reverse("health_ready")).status_code)
            finally:
                connection.close()  # the thread's own connection

        threads = [threading.Thread(target=call) for _ in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return statuses

    assert call_many(8) == [200] * 8
    assert len(pings) == 1
    clock["t"] += 9.9  # still within the period
    assert call_many(8) == [200] * 8
    assert len(pings) == 1
    clock["t"] += 0.2  # the next period
    assert call_many(8) == [200] * 8
    assert len(pings) == 2


def test_other_processes_use_the_shared_result(client, clock, pings, monkeypatch):
    _get(client)
    # Another web process: nothing in its memory, the result is in the shared cache.
    monkeypatch.setattr(health, "_local_result", None)
    clock["t"] += 5
    assert _get(client) == (200, {"status": "ok"})
    assert len(pings) == 1

    # While a third process checks, the others answer with the last result, a little old.
    monkeypatch.setattr(health, "_local_result", None)
    clock["t"] += 10
    cache.add(health.CHECKING_KEY, 1)
    assert _get(client, Authorization=f"Bearer {TOKEN}")[1]["age_seconds"] == 15
    assert len(pings) == 1


def test_a_cache_that_is_down_still_allows_one_check_per_period(
    client, clock, pings, settings, caplog
):
    # Nothing listens on the cache's port; every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    for _ in range(5):
        assert _get(client) == (200, {"status": "ok"})
    assert len(pings) == 1
    assert "health check: cache unavailable" in caplog.text
