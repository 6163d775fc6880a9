"""Joining with the code; a guest reaches only the live endpoints of the session joined."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from tests.workshops.join_limits import join_clock_fixture  # noqa: F401
from tests.workshops.test_live_factories import (  # noqa: F401
    fresh_cache,
    guest_join,
    live_fixture,
    session_create,
    started,
    workshop_create,
)
from workshops import guests
from workshops.models import Activity, Card, Dot, Participant, Workshop

pytestmark = pytest.mark.django_db

JOIN = reverse("workshops:live_join")
LOGIN = reverse("accounts:login")


def _join(client, code, name="Gast"):
    with override("en"):
        return client.post(JOIN, {"code": code, "display_name": name}, HTTP_ACCEPT_LANGUAGE="en")


def test_a_guest_joins_with_the_code_typed_loosely(live):
    session = live["session"]
    code = session.workshop.join_code
    client = Client()
    page = client.get(JOIN + f"?code={code}")
    assert page.status_code == 200 and code in page.content.decode()
    response = client.post(
        JOIN, {"code": f" {code[:4].lower()} {code[4:]}", "display_name": "Anna"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workshops:live_participate", args=[session.pk])
    participant = Participant.objects.get()
    assert (participant.session, participant.user, participant.display_name) == (
        session,
        None,
        "Anna",
    )
    assert client.session["live_guest"] == {"session": session.pk, "key": participant.guest_key}
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Anna" in page.content.decode()
    # Joining again from the same browser keeps the participant (and its dots and cards).
    guest_join(session, name="Anna B.", client=client)
    assert Participant.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong", "This join code is not valid"),
        ("cancelled", "This workshop has been cancelled."),
        ("over", "ended more than 12 hours ago"),
        ("empty name", "This field is required"),
    ],
)
@pytest.mark.clock
def test_refused_joins_explain_why_and_create_nobody(process, case, expected):
    workshop = workshop_create(
        process, status=Workshop.Status.CANCELLED if case == "cancelled" else None
    )
    session_create(workshop, starts_in_minutes=-24 * 60 if case == "over" else -10)
    code = "ZZZZ9999" if case == "wrong" else workshop.join_code
    client = Client()
    with override("en"):
        response = client.post(
            JOIN,
            {"code": code, "display_name": "" if case == "empty name" else "Anna"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not Participant.objects.exists()
    assert "live_guest" not in client.session


def _post(client, code, name="Gast"):
    return client.post(JOIN, {"code": code, "display_name": name})


def test_one_persons_wrong_codes_do_not_lock_out_the_room(live, join_clock):
    """60 people behind one address join over five minutes; one of them keeps typing a wrong
    code in between. Only that browser has to wait; everybody else gets in."""
    code = live["workshop"].join_code
    typo = Client()
    typo_codes, others = [], []
    for i in range(59):
        typo_codes.append(_post(typo, "WRONG234", "Vertippt").status_code)
        others.append(_post(Client(), code, f"Gast {i}").status_code)
        join_clock.advance(5)
    assert others == [302] * 59
    # The typing browser was slowed down (its own waits), but never shut out for long.
    assert typo_codes[:3] == [200, 200, 200] and 429 in typo_codes
    assert typo_codes.count(200) >= 8
    join_clock.advance(guests.BROWSER_MAX_WAIT)
    assert _post(typo, code, "Vertippt").status_code == 302
    assert Participant.objects.count() == 60


def test_a_browser_hammering_wrong_codes_waits_longer_each_time(live, join_clock):
    client = Client()
    assert [_post(client, "WRONG234").status_code for _ in range(3)] == [200, 200, 200]
    waits = []
    for _ in range(7):
        response = _post(client, "WRONG234")
        assert response.status_code == 429
        seconds = int(response["Retry-After"])
        waits.append(seconds)
        assert f"Bitte warten Sie {seconds} Sekunden" in response.content.decode()
        # Still refused a moment before the wait is over, without looking at the code.
        join_clock.advance(seconds - 0.5)
        assert _post(client, live["workshop"].join_code).status_code == 429
        join_clock.advance(0.5)
        assert _post(client, "WRONG234").status_code == 200
    assert waits == [2, 4, 8, 16, 32, 60, 60]
    assert not Participant.objects.exists()
    # Another browser at the same address is not slowed down.
    assert _post(Client(), live["workshop"].join_code, "Nachbarin").status_code == 302
    # After the wait the right code gets in, and the count starts again.
    join_clock.advance(60)
    assert _post(client, live["workshop"].join_code).status_code == 302
    assert "live_join_failures" not in client.session


def test_a_flood_of_wrong_codes_from_one_address_is_stopped(live, join_clock, settings):
    """A script that drops its cookies escapes the browser's wait; the address limit stops
    it, for everybody at that address, until the ten-minute window is over."""
    limit = settings.LIVE_JOIN_FAILURES_PER_ADDRESS
    assert limit >= 100
    codes = [_post(Client(), "WRONG234").status_code for _ in range(limit + 5)]
    assert codes == [200] * limit + [429] * 5
    join_clock.advance(30)
    response = _post(Client(), live["workshop"].join_code)
    assert response.status_code == 429 and response["Retry-After"] == "570"
    assert "Bitte warten Sie 10 Minuten" in response.content.decode()
    assert not Participant.objects.exists()
    # Another address is not affected; the next window lets the first one in again.
    other = Client(REMOTE_ADDR="10.0.0.7")
    assert _post(other, live["workshop"].join_code, "B").status_code == 302
    join_clock.advance(570)
    assert _post(Client(), live["workshop"].join_code, "C").status_code == 302


def test_successful_joins_from_one_room_are_not_blocked(live):
    # A whole workshop shares the venue's address: 60 joins in a row must work.
    for i in range(60):
        guest_join(live["session"], name=f"Gast {i}")
    assert Participant.objects.count() == 60


def test_an_account_joins_under_its_name(live, personas):
    user = personas["rep_duelmen"]
    client = Client()
    client.force_login(user)
    response = client.post(JOIN, {"code": live["workshop"].join_code})
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.user == user and participant.display_name == user.get_full_name()
    # Opening the participant view directly works as well and keeps the one participant.
    assert client.get(response["Location"]).status_code == 200
    assert Participant.objects.count() == 1


def test_a_guest_sees_only_the_live_endpoints_of_the_joined_session(live, personas):
    session, other = live["session"], live["other_session"]
    ideas = started(session, Activity.Kind.IDEAS)
    started(other, Activity.Kind.IDEAS)
    client, _guest = guest_join(session)
    own = [
        reverse("workshops:live_participate", args=[session.pk]),
        reverse("workshops:live_participant_panel", args=[session.pk]),
    ]
    for url in own:
        assert client.get(url).status_code == 200, url
    closed = [
        reverse("workshops:live_participate", args=[other.pk]),
        reverse("workshops:live_participant_panel", args=[other.pk]),
        reverse("workshops:live_facilitate", args=[session.pk]),
        reverse("workshops:live_facilitator_status", args=[session.pk]),
        reverse("workshops:live_projector", args=[session.pk]),
        reverse("workshops:live_projector_panel", args=[session.pk]),
        reverse("workshops:live_activity_promote", args=[session.pk, ideas.pk]),
        reverse("strategy:dashboard"),
        reverse("strategy:process_list"),
        reverse("inventory:project_list"),
        reverse("accounts:password_change"),
    ]
    for url in closed:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN), url
    # Writing into the other session is refused and changes nothing.
    other_activity = other.activities.get()
    response = client.post(
        reverse("workshops:live_card_post", args=[other.pk]),
        {"activity": other_activity.pk, "text": "Fremd"},
    )
    assert response["Location"].startswith(LOGIN)
    # Nor can the guest smuggle the other session's activity into its own session's form.
    response = client.post(
        reverse("workshops:live_card_post", args=[session.pk]),
        {"activity": other_activity.pk, "text": "Fremd"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert not Card.objects.exists()


def test_joining_another_session_ends_the_first(live):
    session, other = live["session"], live["other_session"]
    client, _ = guest_join(session)
    guest_join(other, client=client)
    response = client.get(reverse("workshops:live_participate", args=[session.pk]))
    assert response["Location"].startswith(LOGIN)
    assert client.get(reverse("workshops:live_participate", args=[other.pk])).status_code == 200


@pytest.mark.clock
def test_a_guest_is_out_once_the_session_is_over(live):
    session = live["session"]
    client, _ = guest_join(session)
    session.starts_at = timezone.now() - timedelta(hours=20)
    session.save()
    response = client.get(reverse("workshops:live_participate", args=[session.pk]))
    assert response.status_code == 302 and response["Location"] == JOIN


def test_a_guest_of_a_cancelled_workshop_is_out(live):
    client, _ = guest_join(live["session"])
    Workshop.objects.filter(pk=live["workshop"].pk).update(status=Workshop.Status.CANCELLED)
    started(live["session"], Activity.Kind.DOT_VOTE)
    response = client.post(
        reverse("workshops:live_dot", args=[live["session"].pk]), {"place": "card:1"}
    )
    assert response["Location"] == JOIN
    assert not Dot.objects.exists()
