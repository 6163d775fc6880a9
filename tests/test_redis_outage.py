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


def test_live_session_works_while_redis_is_down(client, settings, staff, process):
    """Joining (the join limit cannot count: allowed), posting a card (the revision token
    cannot be replaced: pages are rendered anew) and polling all answer normally."""
    from tests.workshops.test_live_factories import guest_join, session_create, started
    from tests.workshops.test_live_factories import workshop_create as live_workshop
    from workshops.models import Activity, Card

    with redis_server() as redis:
        settings.CACHES = fail_soft_cache(redis.url())
        session = session_create(live_workshop(process))
        ideas = started(session, Activity.Kind.IDEAS, title="Ideen")
        client.force_login(staff)
        redis.kill()

        guest, anna = guest_join(session)
        polls = [
            guest.get(reverse("workshops:live_participant_panel", args=[session.pk])),
            client.get(reverse("workshops:live_facilitator_board", args=[session.pk])),
        ]
        assert [poll.status_code for poll in polls] == [200, 200]
        response = guest.post(
            reverse("workshops:live_card_post", args=[session.pk]),
            {"activity": ideas.pk, "text": "Bürger-App"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert Card.objects.get().author == anna
        board = client.get(reverse("workshops:live_facilitator_board", args=[session.pk]))
        assert board.status_code == 200 and "Bürger-App" in board.content.decode()
