"""Polled fragments are rendered once per state and shared (workshops/live_fragments.py):
the cache must never show one participant another's dots or ratings, never show hidden
results, and every request gets its own CSRF token and a current countdown."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.workshops.test_live_factories import (  # noqa: F401
    cards_create,
    fresh_cache,
    guest_join,
    live_fixture,
    started,
)
from workshops import live_fragments as fragments
from workshops import live_services as services
from workshops.models import Activity, Dot, Rating

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
Kind = Activity.Kind
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def url(name, session, *args):
    return reverse(f"workshops:{name}", args=[session.pk, *args])


def panel(client, session, **params):
    query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    return client.get(url("live_participant_panel", session) + query, **HX)


@pytest.fixture
def staff(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["district_staff"])
    return client


def mine(html, card) -> int:
    found = re.search(rf'data-live-mine="card:{card.pk}">.*?</span>(\d+)<', html)
    return int(found[1])


def test_own_dots_are_filled_in_per_participant(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    a, b = cards_create(session, ideas, 2)
    vote = started(session, Kind.DOT_VOTE, dots_per_participant=3, cap_per_item=2)
    anna_client, anna = guest_join(session, "Anna")
    ben_client, _ben = guest_join(session, "Ben")
    # Ben renders (and so caches) the shared part first.
    html = panel(ben_client, session).content.decode()
    assert mine(html, a) == 0 and "You have 3 dots left." in html
    for _ in range(2):
        services.dot_place(activity=vote, participant=anna, item={"card_id": a.pk})
    anna_html = panel(anna_client, session).content.decode()
    ben_html = panel(ben_client, session).content.decode()
    assert mine(anna_html, a) == 2 and mine(anna_html, b) == 0
    assert "You have 1 dot left." in anna_html
    assert mine(ben_html, a) == 0 and "You have 3 dots left." in ben_html
    # Nobody's dots show up in another's page, and no results while hidden.
    assert "result-table" not in ben_html and "result-table" not in anna_html
    assert Dot.objects.filter(activity=vote).count() == 2


def test_own_ratings_are_filled_in_per_participant(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    (card,) = cards_create(session, ideas, 1)
    rating = started(session, Kind.RATING)
    anna_client, anna = guest_join(session, "Anna")
    ben_client, _ben = guest_join(session, "Ben")
    panel(ben_client, session)
    services.rating_save(
        activity=rating, participant=anna, item={"card_id": card.pk}, benefit=5, effort=2
    )
    anna_html = panel(anna_client, session).content.decode()
    ben_html = panel(ben_client, session).content.decode()
    assert '<option value="5" selected>5</option>' in anna_html
    assert '<option value="2" selected>2</option>' in anna_html
    assert "You have rated 1 item." in anna_html
    assert " selected>" not in ben_html and "You have rated 0 items." in ben_html
    assert Rating.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_hidden_results_never_come_from_the_cache(live, staff):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    (card,) = cards_create(session, ideas, 1)
    vote = started(session, Kind.DOT_VOTE)
    guest, anna = guest_join(session, "Anna")
    services.dot_place(activity=vote, participant=anna, item={"card_id": card.pk})
    projector = url("live_projector_panel", session)
    assert "result-table" not in panel(guest, session).content.decode()
    assert "result-table" not in staff.get(projector).content.decode()
    services.activity_reveal(activity=vote, revealed=True)
    assert "result-table" in panel(guest, session).content.decode()
    assert "result-table" in staff.get(projector).content.decode()
    services.activity_reveal(activity=vote, revealed=False)
    assert "result-table" not in panel(guest, session).content.decode()
    assert "result-table" not in staff.get(projector).content.decode()
    # Even when the flag changes behind the services' back (no new revision token), the
    # render with revealed results is not reused for hidden ones.
    Activity.objects.filter(pk=vote.pk).update(results_revealed=True)
    assert "result-table" in panel(guest, session).content.decode()
    Activity.objects.filter(pk=vote.pk).update(results_revealed=False)
    assert "result-table" not in panel(guest, session).content.decode()
    assert "result-table" not in staff.get(projector).content.decode()


def test_cached_facilitator_fragments_stay_closed_to_participants(live, staff):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    cards_create(session, ideas, 3)
    started(session, Kind.DOT_VOTE)
    for name in ("live_facilitator_status", "live_facilitator_board"):
        assert staff.get(url(name, session)).status_code == 200
    guest, _anna = guest_join(session)
    for name in ("live_facilitator_status", "live_facilitator_board"):
        response = guest.get(url(name, session), **HX)
        assert response.status_code in (302, 403, 404)
        assert b"live-board" not in response.content and b"live-status" not in response.content


def test_each_request_gets_its_own_valid_csrf_token(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    (card,) = cards_create(session, ideas, 1)
    vote = started(session, Kind.DOT_VOTE)
    anna_client, anna = guest_join(session, "Anna")
    ben_client, ben = guest_join(session, "Ben")
    for client in (anna_client, ben_client):
        client.handler.enforce_csrf_checks = True  # from now on, as in a browser
    tokens = {}
    for name, client in (("anna", anna_client), ("ben", ben_client)):
        tokens[name] = set(CSRF.findall(panel(client, session).content.decode()))
        assert len(tokens[name]) == 1
    # The token of each fragment is accepted for that browser's post.
    for (name, client), participant in zip(
        (("anna", anna_client), ("ben", ben_client)), (anna, ben), strict=True
    ):
        (token,) = tokens[name]
        response = client.post(
            url("live_dot", session),
            {"csrfmiddlewaretoken": token, "activity": vote.pk, "place": f"card:{card.pk}"},
            **HX,
        )
        assert response.status_code == 200
        assert Dot.objects.filter(participant=participant).count() == 1
    assert not any("\ue000" in t for t in tokens["anna"] | tokens["ben"])


def test_typed_text_that_looks_like_a_slot_is_shown_as_typed(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    guest, anna = guest_join(session)
    text = "Idee \ue000csrf\ue001 und \ue000m:card:1\ue001"
    services.card_post(activity=ideas, participant=anna, text=text)
    html = panel(guest, session).content.decode()
    assert text in html


def test_countdown_is_computed_per_request(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    services.activity_set_timer(activity=ideas, minutes=5)
    guest, _anna = guest_join(session)
    first = panel(guest, session).content.decode()
    assert 'data-remaining="299"' in first or 'data-remaining="300"' in first
    later = timezone.now() + timedelta(minutes=2)
    with mock.patch("workshops.live_fragments.timezone.now", return_value=later):
        second = panel(guest, session).content.decode()
    assert re.search(r'data-remaining="1(79|80)"', second)
    assert re.search(r">2:(59|60|00)</span>|>3:00</span>", second)


@pytest.mark.django_db(transaction=True)
def test_unchanged_poll_of_a_guest_needs_two_queries(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    cards_create(session, ideas, 30)
    guest, _anna = guest_join(session)
    html = panel(guest, session).content.decode()
    rev = re.search(r'\?rev=([\w-]+)"', html)[1]
    with CaptureQueriesContext(connection) as queries:
        response = panel(guest, session, rev=rev)
    assert response.status_code == 204
    assert len(queries.captured_queries) <= 2


def test_slots_are_split_and_filled():
    slots = fragments.Slots()
    parts = slots.split(f"a{slots('x')}b{slots('y')}c")
    assert parts == ["a", "x", "b", "y", "c"]
    assert fragments.fill(parts, {"x": "1"}, lambda name: "?") == "a1b?c"


def test_long_votes_are_shown_page_by_page(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    cards = cards_create(session, ideas, 120)
    vote = started(session, Kind.DOT_VOTE)
    guest, anna = guest_join(session)
    first = panel(guest, session).content.decode()
    assert first.count('name="place"') == 50
    assert 'href="?page=3"' in first and "&amp;page=" not in first
    last = panel(guest, session, page=3).content.decode()
    assert last.count('name="place"') == 20
    assert re.search(r'hx-get="[^"]*\?rev=[\w-]+&amp;page=3"', last)
    assert '<input type="hidden" name="page" value="3">' in last
    # Own dots on a later page are filled in there; without JavaScript the post leads back.
    response = guest.post(
        url("live_dot", session),
        {"activity": vote.pk, "place": f"card:{cards[-1].pk}", "page": "3"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?page=3")
    assert mine(panel(guest, session, page=3).content.decode(), cards[-1]) == 1
    page = guest.get(url("live_participate", session) + "?page=3", HTTP_ACCEPT_LANGUAGE="en")
    assert page.content.decode().count('name="place"') == 20
    assert Dot.objects.filter(participant=anna).count() == 1
    # Past the last page (the items change while voting): the last page.
    assert panel(guest, session, page="99").content.decode().count('name="place"') == 20
    # A malformed page number is a bad request (strategy.http.page_param).
    for bad in ("0", "-1", "abc", "999999999", "%C2%B2"):
        assert panel(guest, session, page=bad).status_code == 400


def test_vote_names_only_activities_of_the_own_session(live):
    session, other = live["session"], live["other_session"]
    ideas = started(session, Kind.IDEAS)
    (card,) = cards_create(session, ideas, 1)
    started(session, Kind.DOT_VOTE)
    other_vote = started(other, Kind.DOT_VOTE)
    guest, _anna = guest_join(session)
    for activity in (other_vote.pk, 999999, ""):
        response = guest.post(
            url("live_dot", session), {"activity": activity, "place": f"card:{card.pk}"}, **HX
        )
        assert response.status_code == 409
    assert not Dot.objects.exists()


def test_a_vote_is_a_short_transaction(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    (card,) = cards_create(session, ideas, 1)
    vote = started(session, Kind.DOT_VOTE)
    guest, _anna = guest_join(session)
    with CaptureQueriesContext(connection) as queries:
        response = guest.post(
            url("live_dot", session), {"activity": vote.pk, "place": f"card:{card.pk}"}, **HX
        )
    assert response.status_code == 200 and response["HX-Trigger"] == "live-refresh"
    assert len(queries.captured_queries) <= 8
    assert len(response.content) < 1000  # a message, not the board
