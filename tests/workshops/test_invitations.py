"""Invitations by e-mail with calendar files (RFC 5545): sending, updates, cancellation,
idempotent sending, and the answers (RSVP) of invitees with and without an account."""

import re
from datetime import UTC

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from strategy.mail import SendFailure
from tests.workshops import at, calendars, english, make_session, make_workshop
from workshops.invitation_tasks import dispatch_invitations, send_invitation
from workshops.models import Workshop, WorkshopInvitation, WorkshopSession
from workshops.planning_services import (
    WorkshopError,
    invitations_send,
    invitee_remove,
    invitees_add_guests,
    invitees_add_role,
    session_delete,
    session_update,
    workshop_cancel,
)

pytestmark = pytest.mark.django_db

RSVP_LINK = re.compile(r"https?://[^/\s]+(/workshops/antwort/[^/\s]+/)")


@pytest.fixture
def staff(personas):
    return personas["district_staff"]


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return english(client)


@pytest.fixture
def workshop(process, staff, personas):
    """A kick-off in two sessions with agendas; two representatives and a guest invited."""
    workshop = make_workshop(process, user=staff)
    make_session(
        workshop,
        starts_at=at(30, 10),
        duration=120,
        items=[("Begrüßung", 20), ("Ziele der Strategie", 40)],
        tasks="Projekte der eigenen Kommune zusammentragen",
    )
    make_session(workshop, starts_at=at(44, 14), duration=90, items=[("Rückblick", 15)])
    invitees_add_role(workshop=workshop, role=Role.MUNICIPAL_REP)
    invitees_add_guests(workshop=workshop, emails=["gast@verein.example"])
    return Workshop.objects.get(pk=workshop.pk)


def _send(workshop, capture):
    with capture(execute=True):
        result = invitations_send(workshop=workshop)
    assert result.queued
    return result.count


def _events(message):
    (calendar,) = calendars(message)
    return calendar, sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))


def _uids(workshop):
    return [
        f"workshop-{workshop.pk}-session-{pk}@strategie.kreis-coesfeld.de"
        for pk in workshop.sessions.order_by("starts_at").values_list("pk", flat=True)
    ]


# --- Sending ---------------------------------------------------------------------------------


def test_each_invitee_gets_an_email_with_a_calendar_file(
    workshop, personas, django_capture_on_commit_callbacks
):
    assert _send(workshop, django_capture_on_commit_callbacks) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [personas["rep_duelmen"].email, personas["rep_nottuln"].email, "gast@verein.example"]
    )
    assert all(len(m.to) == 1 for m in mail.outbox)

    message = next(m for m in mail.outbox if m.to == ["gast@verein.example"])
    calendar, events = _events(message)
    assert calendar["METHOD"] == "REQUEST" and calendar["VERSION"] == "2.0"
    assert [str(e["UID"]) for e in events] == _uids(workshop)
    assert [e["SEQUENCE"] for e in events] == [0, 0]
    sessions = list(workshop.sessions.order_by("starts_at"))
    for event, session in zip(events, sessions, strict=True):
        assert event.decoded("DTSTART") == session.starts_at
        assert event.decoded("DTSTART").utcoffset().total_seconds() == 0
        assert event.decoded("DTEND") == session.ends_at
        assert "DTSTAMP" in event
        assert str(event["LOCATION"]) == "Kreishaus Coesfeld, Raum 101"
        assert str(event["ORGANIZER"]).startswith("mailto:")
        assert str(event["ATTENDEE"]) == "mailto:gast@verein.example"
        assert str(event["STATUS"]) == "CONFIRMED"
    raw = calendar.to_ical().decode()
    utc_start = sessions[0].starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{utc_start}" in raw

    description = str(events[0]["DESCRIPTION"])
    assert (
        "10:00–10:20 Begrüßung" in description and "10:20–11:00 Ziele der Strategie" in description
    )
    assert "Projekte der eigenen Kommune zusammentragen" in description
    link = RSVP_LINK.search(message.body).group(1)
    assert link in description
    invitation = WorkshopInvitation.objects.get(email="gast@verein.example")
    assert link == reverse("workshops:rsvp", args=[invitation.token])

    part = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename().endswith(".ics")
    assert "Auftaktworkshop Smart Region" in message.subject
    assert "14:00–15:30" in message.body

    assert set(WorkshopInvitation.objects.values_list("sent_sequence", flat=True)) == {0}
    assert not WorkshopInvitation.objects.filter(sent_at=None).exists()


def test_online_link_is_the_location_when_there_is_no_place(
    process, staff, django_capture_on_commit_callbacks
):
    workshop = make_workshop(process, location="", online_link="https://konferenz.example/ws")
    make_session(workshop)
    invitees_add_guests(workshop=workshop, emails=["gast@example.org"])
    _send(workshop, django_capture_on_commit_callbacks)
    _, events = _events(mail.outbox[0])
    assert str(events[0]["LOCATION"]) == "https://konferenz.example/ws"


def test_send_button_sends_only_to_invitees_without_the_current_version(
    staff_client, workshop, django_capture_on_commit_callbacks
):
    url = reverse("workshops:invitations_send", args=[workshop.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, follow=True)
    assert "3 invitations are being sent." in response.content.decode()
    assert len(mail.outbox) == 3

    invitees_add_guests(workshop=workshop, emails=["nachzuegler@example.org"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url)
    assert [m.to for m in mail.outbox] == [["nachzuegler@example.org"]]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, follow=True)
    assert "Every invitee already has the current invitation." in response.content.decode()
    assert mail.outbox == []


def test_no_invitations_without_a_session(process, django_capture_on_commit_callbacks):
    workshop = make_workshop(process)
    invitees_add_guests(workshop=workshop, emails=["gast@example.org"])
    with pytest.raises(WorkshopError, match="mindestens eine Sitzung"):
        _send(workshop, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_sending_twice_sends_once(workshop, django_capture_on_commit_callbacks):
    invitation = WorkshopInvitation.objects.get(email="gast@verein.example")
    assert send_invitation(invitation.pk) is True
    assert send_invitation(invitation.pk) is False
    assert len(mail.outbox) == 1
    # The dispatcher skips who already has the current version.
    assert dispatch_invitations(workshop.pk) == 2
    assert dispatch_invitations(workshop.pk) == 0
    assert len(mail.outbox) == 3
    assert send_invitation(999999) is False


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failed_send_is_given_back_for_the_retry(workshop, settings):
    settings.EMAIL_BACKEND = "tests.workshops.test_invitations.FailingBackend"
    invitation = WorkshopInvitation.objects.get(email="gast@verein.example")
    # Eagerly, the retries run at once; after the last one the failure is recorded.
    result = send_invitation.apply(args=[invitation.pk])
    assert result.result is False
    invitation.refresh_from_db()
    assert invitation.sent_sequence == -1 and invitation.sent_at is None
    assert invitation.send_failure == SendFailure.MAIL_SERVER and invitation.send_failed_at

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_invitation(invitation.pk) is True
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.send_failure == "" and invitation.send_failed_at is None


# --- Updates and cancellation ----------------------------------------------------------------


def test_date_change_sends_an_update_with_a_higher_sequence_to_everyone(
    workshop, django_capture_on_commit_callbacks
):
    _send(workshop, django_capture_on_commit_callbacks)
    invitees_add_guests(workshop=workshop, emails=["neu@example.org"])
    mail.outbox.clear()
    session = workshop.sessions.order_by("starts_at").first()
    with django_capture_on_commit_callbacks(execute=True):
        session_update(session=session, starts_at=at(31, 9), duration_minutes=120)

    workshop.refresh_from_db()
    assert workshop.sequence == 1
    assert len(mail.outbox) == 3
    assert "neu@example.org" not in {m.to[0] for m in mail.outbox}
    for message in mail.outbox:
        calendar, events = _events(message)
        assert calendar["METHOD"] == "REQUEST"
        assert [str(e["UID"]) for e in events] == _uids(workshop)
        assert {e["SEQUENCE"] for e in events} == {1}
        assert events[0].decoded("DTSTART") == at(31, 9)
        assert "Geändert" in message.subject
    sent = WorkshopInvitation.objects.exclude(email="neu@example.org")
    assert set(sent.values_list("sent_sequence", flat=True)) == {1}
    # The new invitee gets the current version with the next "send".
    mail.outbox.clear()
    _send(workshop, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["neu@example.org"]]
    assert "Einladung" in mail.outbox[0].subject


def test_duration_change_through_the_page_sends_an_update(
    staff_client, workshop, django_capture_on_commit_callbacks
):
    _send(workshop, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    session = workshop.sessions.order_by("starts_at").first()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("workshops:session_edit", args=[session.pk]),
            {
                "starts_at": session.starts_at.astimezone(at(0).tzinfo).strftime("%Y-%m-%dT%H:%M"),
                "duration_minutes": 150,
                "tasks_until_next": "",
            },
        )
    assert len(mail.outbox) == 3
    _, events = _events(mail.outbox[0])
    assert events[0].decoded("DTEND") == at(30, 12, 30)


def test_place_change_sends_an_update_but_a_new_title_does_not(
    staff_client, workshop, process, django_capture_on_commit_callbacks
):
    _send(workshop, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    url = reverse("workshops:workshop_edit", args=[workshop.pk])
    data = {
        "step": workshop.step_id,
        "kind": "kickoff",
        "title": "Auftakt – neuer Titel",
        "location": workshop.location,
        "online_link": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, data)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, data | {"location": "Rathaus Dülmen, Sitzungssaal"})
    assert len(mail.outbox) == 3
    _, events = _events(mail.outbox[0])
    assert str(events[0]["LOCATION"]) == "Rathaus Dülmen, Sitzungssaal"
    assert events[0]["SEQUENCE"] == 1


def test_cancelling_sends_method_cancel_to_everyone_invited(
    staff_client, workshop, django_capture_on_commit_callbacks
):
    _send(workshop, django_capture_on_commit_callbacks)
    invitees_add_guests(workshop=workshop, emails=["nie-eingeladen@example.org"])
    mail.outbox.clear()
    html = staff_client.get(reverse("workshops:workshop_cancel", args=[workshop.pk])).content
    assert "Invitees who already have the invitation: 3." in html.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("workshops:workshop_cancel", args=[workshop.pk]))
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.CANCELLED and workshop.sequence == 1

    assert len(mail.outbox) == 3
    assert "nie-eingeladen@example.org" not in {m.to[0] for m in mail.outbox}
    for message in mail.outbox:
        calendar, events = _events(message)
        assert calendar["METHOD"] == "CANCEL"
        assert [str(e["UID"]) for e in events] == _uids(workshop)
        assert {str(e["STATUS"]) for e in events} == {"CANCELLED"}
        assert {e["SEQUENCE"] for e in events} == {1}
        assert "Abgesagt" in message.subject
    assert not WorkshopInvitation.objects.filter(
        sent_sequence__gte=0, cancellation_sent_at=None
    ).exists()

    # Running the tasks again tells nobody twice.
    mail.outbox.clear()
    assert dispatch_invitations(workshop.pk) == 0
    for invitation in WorkshopInvitation.objects.all():
        assert send_invitation(invitation.pk) is False
    assert mail.outbox == []


def test_a_sent_session_cannot_be_deleted_nor_a_sent_invitee_removed(
    workshop, django_capture_on_commit_callbacks
):
    _send(workshop, django_capture_on_commit_callbacks)
    session = workshop.sessions.first()
    with pytest.raises(WorkshopError, match="bereits versendet"):
        session_delete(session=session)
    invitation = WorkshopInvitation.objects.first()
    with pytest.raises(WorkshopError, match="bereits erhalten"):
        invitee_remove(invitation=invitation)
    assert WorkshopSession.objects.count() == 2 and WorkshopInvitation.objects.count() == 3


# --- Answers ---------------------------------------------------------------------------------


def _link(workshop, capture, email="gast@verein.example"):
    _send(workshop, capture)
    message = next(m for m in mail.outbox if m.to == [email])
    return RSVP_LINK.search(message.body).group(1)


def test_guest_answers_without_logging_in_and_changes_the_answer(
    workshop, django_capture_on_commit_callbacks
):
    link = _link(workshop, django_capture_on_commit_callbacks)
    guest = english(Client())
    page = guest.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Auftaktworkshop Smart Region" in html and "Will you attend?" in html
    assert 'name="csrfmiddlewaretoken"' in html

    invitation = WorkshopInvitation.objects.get(email="gast@verein.example")
    for answer in ["yes", "no", "maybe"]:
        response = guest.post(link, {"response": answer})
        assert response.status_code == 302 and response["Location"] == link
        invitation.refresh_from_db()
        assert invitation.response == answer and invitation.responded_at is not None
    assert "Thank you, your answer was saved." in guest.get(link).content.decode()
    # Nobody else's answer changed.
    assert set(
        WorkshopInvitation.objects.exclude(pk=invitation.pk).values_list("response", flat=True)
    ) == {"pending"}


def test_answer_needs_a_csrf_token(workshop, django_capture_on_commit_callbacks):
    link = _link(workshop, django_capture_on_commit_callbacks)
    response = Client(enforce_csrf_checks=True).post(link, {"response": "yes"})
    assert response.status_code == 403
    assert WorkshopInvitation.objects.get(email="gast@verein.example").response == "pending"


def test_invalid_answer_changes_nothing(workshop, django_capture_on_commit_callbacks):
    link = _link(workshop, django_capture_on_commit_callbacks)
    response = english(Client()).post(link, {"response": "vielleicht-später"})
    assert response.status_code == 200
    assert "Please answer yes, no or maybe." in response.content.decode()
    assert WorkshopInvitation.objects.get(email="gast@verein.example").response == "pending"


def test_answer_page_of_a_cancelled_workshop(workshop, django_capture_on_commit_callbacks):
    link = _link(workshop, django_capture_on_commit_callbacks)
    workshop_cancel(workshop=workshop)
    guest = english(Client())
    html = guest.get(link).content.decode()
    assert "This workshop was cancelled." in html
    assert 'name="response"' not in html
    response = guest.post(link, {"response": "yes"})
    assert "This workshop was cancelled." in response.content.decode()
    assert WorkshopInvitation.objects.get(email="gast@verein.example").response == "pending"


def test_unknown_answer_link_gives_a_404_page_in_german(client, db):
    response = client.get(reverse("workshops:rsvp", args=["gibt-es-nicht"]))
    assert response.status_code == 404
    assert '<html lang="de">' in response.content.decode()
    english_page = english(Client()).get(reverse("workshops:rsvp", args=["gibt-es-nicht"]))
    assert english_page.status_code == 404
    assert "Answer link not valid" in english_page.content.decode()


def test_facilitator_sees_all_answers_and_others_only_the_counts(
    staff_client, client, workshop, personas, django_capture_on_commit_callbacks
):
    _send(workshop, django_capture_on_commit_callbacks)
    guest = WorkshopInvitation.objects.get(email="gast@verein.example")
    rep = WorkshopInvitation.objects.get(user=personas["rep_duelmen"])
    Client().post(reverse("workshops:rsvp", args=[guest.token]), {"response": "yes"})
    Client().post(reverse("workshops:rsvp", args=[rep.token]), {"response": "maybe"})

    html = staff_client.get(workshop.get_absolute_url()).content.decode()
    assert "3 invited: 1 yes, 0 no, 1 maybe, 1 without an answer." in html
    assert "gast@verein.example" in html

    client.force_login(personas["councillor"])
    html = english(client).get(workshop.get_absolute_url()).content.decode()
    assert "3 invited: 1 yes, 0 no, 1 maybe, 1 without an answer." in html
    assert "gast@verein.example" not in html

    client.force_login(personas["rep_duelmen"])
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert reverse("workshops:rsvp", args=[rep.token]) in html
    assert reverse("workshops:rsvp", args=[guest.token]) not in html


def test_a_session_added_after_sending_reaches_everyone_as_an_update(
    workshop, django_capture_on_commit_callbacks
):
    _send(workshop, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_session(workshop, starts_at=at(58, 10), duration=60)
    assert len(mail.outbox) == 3
    _, events = _events(mail.outbox[0])
    assert [str(e["UID"]) for e in events] == _uids(workshop) and len(events) == 3
    assert {e["SEQUENCE"] for e in events} == {1}
    # A second change raises the SEQUENCE again.
    mail.outbox.clear()
    session = workshop.sessions.order_by("starts_at").last()
    with django_capture_on_commit_callbacks(execute=True):
        session_update(session=session, starts_at=at(59, 10), duration_minutes=60)
    _, events = _events(mail.outbox[0])
    assert {e["SEQUENCE"] for e in events} == {2}
