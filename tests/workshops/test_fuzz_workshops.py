"""Arbitrary text (HTML, script, javascript: URLs, RTL and zero-width characters, very long
strings) in every text field of the workshop forms — planning, live session and minutes —
posted through their real pages: never a server error, and wherever the text is shown
afterwards (participant, projector and facilitator views, workshop pages, minutes), it is
shown as text."""

import itertools

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given

from strategy.models import ActorGroup, ThemeField
from tests.fuzzing import HYPOTHESIS, MARKERS, TEXT, check_shown_as_text, fuzzes
from tests.workshops import at, first_step, make_session, make_workshop
from tests.workshops import test_minutes_data as minutes_data
from tests.workshops.test_live_factories import (  # noqa: F401
    fresh_cache,
    guest_join,
    live_fixture,
    started,
)
from tests.workshops.test_minutes_data import jpeg_bytes
from workshops import live_services as services
from workshops.models import Activity, AgendaItem, Card, Cluster, Workshop

pytestmark = pytest.mark.django_db
_GUESTS = itertools.count()
# Fixtures shared by the minutes tests.
media, facilitator, empty_session = (
    minutes_data.media,
    minutes_data.facilitator,
    minutes_data.empty_session,
)
HX = {"HTTP_HX_REQUEST": "true"}


def _check(client, response, shown_at):
    check_shown_as_text(client, response, shown_at)


def _answered_as_text(response) -> None:
    """The answer to the post itself (a form shown again with the input, an htmx message)."""
    assert response.status_code < 500
    html = response.content.decode()
    for marker in MARKERS:
        if marker.startswith("javascript:"):
            assert f'href="{marker}' not in html
        else:
            assert marker not in html


def _no_nul_stored(*querysets_and_fields) -> None:
    """PostgreSQL refuses NUL characters in text (a server error there): none may be stored."""
    for queryset, field in querysets_and_fields:
        # (In Python: SQLite's LIKE ends the pattern at a NUL character.)
        assert not any("\x00" in value for value in queryset.values_list(field, flat=True))


def url(name, session, *args):
    return reverse(f"workshops:{name}", args=[session.pk, *args])


@pytest.fixture
def staff(client, personas, process):
    client.force_login(personas["district_staff"])
    return client


@pytest.fixture
def ideas(live):
    """The live session with a running idea collection and a guest who joined it."""
    session = live["session"]
    activity = started(session, Activity.Kind.IDEAS, title="Ideen sammeln")
    guest, _ = guest_join(session)
    return {"session": session, "activity": activity, "guest": guest}


def _live_pages(staff, guest, session) -> list[str]:
    return [
        url("live_participate", session),
        url("live_participant_panel", session),
        url("live_projector", session),
        url("live_projector_panel", session),
        url("live_facilitate", session),
        url("live_facilitator_status", session),
        url("live_facilitator_board", session),
    ]


def _check_live(staff, guest, session, response) -> None:
    """The text as every live view shows it: participant (guest), projector, facilitator."""
    assert response.status_code < 500
    for page in _live_pages(staff, guest, session):
        client = guest if "participant" in page or page.endswith("/live/") else staff
        check_shown_as_text(client, response, page)


# --- Live session ----------------------------------------------------------------------------


@fuzzes("workshops.live_forms.JoinForm")
@given(text=TEXT)
@HYPOTHESIS
def test_join_form(staff, live, text):
    cache.clear()  # the join rate limit counts the wrong codes of earlier examples
    session = live["session"]
    guest = Client()
    join = reverse("workshops:live_join")
    response = guest.post(join, {"code": text, "display_name": text})
    _answered_as_text(response)
    response = guest.get(join, {"code": text})
    _answered_as_text(response)
    response = guest.post(join, {"code": session.workshop.join_code, "display_name": text[:60]})
    _answered_as_text(response)
    # Joined (or told why not): the name is shown to the guest and the facilitator.
    _check_live(staff, guest, session, response)
    # An account joins with hostile text as the code.
    _answered_as_text(staff.post(join, {"code": text}))


@fuzzes("workshops.live_forms.CardForm")
@given(text=TEXT)
@HYPOTHESIS
def test_card_form(staff, ideas, text):
    session, guest = ideas["session"], ideas["guest"]
    field = ThemeField.objects.first()
    for value in (text, text[: Card.MAX_LENGTH]):
        data = {"activity": ideas["activity"].pk, "text": value, "theme_field": field.pk}
        _answered_as_text(guest.post(url("live_card_post", session), data, **HX))
        response = guest.post(url("live_card_post", session), data | {"page": value})
        _check_live(staff, guest, session, response)
    _no_nul_stored((Card.objects, "text"))


@fuzzes("workshops.live_forms.CardEditForm")
@given(text=TEXT)
@HYPOTHESIS
def test_card_edit_form(staff, ideas, text):
    session, guest = ideas["session"], ideas["guest"]
    card = Card.objects.create(session=session, activity=ideas["activity"], text="Rufbus-App")
    edit = url("live_card_edit", session, card.pk)
    for value in (text, text[: Card.MAX_LENGTH]):
        _answered_as_text(staff.post(edit, {"text": value}, **HX))
        response = staff.post(edit, {"text": value})
        _answered_as_text(response)
        _check(staff, response, edit)
        _check_live(staff, guest, session, response)
    _no_nul_stored((Card.objects, "text"))


@fuzzes("workshops.live_forms.ClusterForm")
@given(text=TEXT)
@HYPOTHESIS
def test_cluster_form(staff, ideas, text):
    session, guest = ideas["session"], ideas["guest"]
    for value in (text, text[:120]):
        _answered_as_text(staff.post(url("live_cluster_add", session), {"name": value}, **HX))
        response = staff.post(url("live_cluster_add", session), {"name": value})
        _check_live(staff, guest, session, response)
    cluster = Cluster.objects.create(session=session, name="Mobilität", position=999)
    rename = url("live_cluster_rename", session, cluster.pk)
    for value in (text, text[:120]):
        _answered_as_text(staff.post(rename, {"name": value}, **HX))
        response = staff.post(rename, {"name": value})
        _check_live(staff, guest, session, response)
    _no_nul_stored((Cluster.objects, "name"))


@fuzzes("workshops.live_forms.ActivityForm")
@given(text=TEXT)
@HYPOTHESIS
def test_activity_form(staff, ideas, text):
    session, guest = ideas["session"], ideas["guest"]
    before = set(Activity.objects.values_list("pk", flat=True))
    for value in (text, text[:200]):
        data = {
            "kind": "ideas",
            "title": value,
            "target": "cards",
            "dots_per_participant": 5,
            "cap_per_item": 3,
        }
        _answered_as_text(staff.post(url("live_activity_add", session), data, **HX))
        response = staff.post(url("live_activity_add", session), data)
        _check_live(staff, guest, session, response)
    new = Activity.objects.exclude(pk__in=before).order_by("-pk").first()
    if new is not None:
        # Running, its title is on the participant's phone and the projector, too.
        response = staff.post(url("live_activity_start", session, new.pk), {"minutes": "5"})
        _answered_as_text(response)
        _check_live(staff, guest, session, response)
        services.activity_start(activity=ideas["activity"])
    _no_nul_stored((Activity.objects, "title"))


@fuzzes("workshops.live_forms.ItemForm", "workshops.live_forms.RatingForm")
@given(text=TEXT)
@HYPOTHESIS
def test_dot_and_rating_with_hostile_items(staff, live, text):
    session = live["session"]
    vote = session.live_activity or started(session, Activity.Kind.DOT_VOTE)
    guest, _ = guest_join(session, name=f"Gast {next(_GUESTS)}")
    posts = [
        ("live_dot", {"activity": vote.pk, "place": text, "page": text}),
        ("live_dot", {"activity": vote.pk, "remove": text}),
        ("live_dot", {"activity": text, "place": "card:1"}),
        ("live_rating", {"activity": vote.pk, "item": text, "benefit": 3, "effort": 2}),
        ("live_rating", {"activity": vote.pk, "item": text, "benefit": text, "effort": text}),
        ("live_rating", {"activity": text, "item": text}),
    ]
    for name, data in posts:
        # A NUL makes any post a bad request, and so does a page number that is none
        # (strategy.http); else the vote is refused.
        bad = "\x00" in text or "page" in data
        response = guest.post(url(name, session), data, **HX)
        assert response.status_code in ((400,) if bad else (409, 422)), response.status_code
        _answered_as_text(response)
        response = guest.post(url(name, session), data)
        assert response.status_code == (400 if bad else 302)
        if not bad:
            _check(guest, response, response["Location"])
    _check_live(staff, guest, session, response)


# --- Minutes ---------------------------------------------------------------------------------


@fuzzes("workshops.minutes_forms.MinutesForm")
@given(text=TEXT)
@HYPOTHESIS
def test_minutes_form(client, facilitator, empty_session, text):
    client.force_login(facilitator)
    edit = reverse("workshops:minutes_edit", args=[empty_session.pk])
    detail = reverse("workshops:minutes_detail", args=[empty_session.pk])
    for summary, decisions in ((text, text), (text * 10, text[:1])):
        response = client.post(edit, {"summary": summary, "decisions": decisions})
        _answered_as_text(response)
        _check(client, response, detail)
        _check(client, response, edit)
    _no_nul_stored(
        (type(empty_session).objects, "summary"), (type(empty_session).objects, "decisions")
    )


@fuzzes("workshops.minutes_forms.PhotoForm")
@given(text=TEXT)
@HYPOTHESIS
def test_photo_caption(client, facilitator, empty_session, text):
    client.force_login(facilitator)
    photos = reverse("workshops:minutes_photos", args=[empty_session.pk])
    image = jpeg_bytes(size=(40, 30), exif=False)
    for caption in (text, text[:200]):
        upload = SimpleUploadedFile("flipchart.jpg", image, content_type="image/jpeg")
        response = client.post(photos, {"image": upload, "caption": caption})
        _answered_as_text(response)
        _check(client, response, photos)
        _check(client, response, reverse("workshops:minutes_detail", args=[empty_session.pk]))
    _no_nul_stored((empty_session.photos.all(), "caption"))


# --- Planning --------------------------------------------------------------------------------


@fuzzes("workshops.planning_forms.WorkshopForm")
@given(text=TEXT)
@HYPOTHESIS
def test_workshop_form(staff, process, text):
    base = {"step": first_step(process).pk, "kind": "kickoff"}
    full = {"title": text, "description": text, "location": text, "online_link": text}
    fitting = {
        "title": text[:200],
        "description": text[:5000],
        "location": text[:300],
        "online_link": "https://konferenz.example.org/auftakt",
    }
    before = set(Workshop.objects.values_list("pk", flat=True))
    for data in (full, fitting, fitting | {"online_link": text[:500], "location": ""}):
        response = staff.post(reverse("workshops:workshop_new"), base | data)
        _answered_as_text(response)
    new = Workshop.objects.exclude(pk__in=before).order_by("-pk").first()
    list_url = reverse("workshops:workshop_list")
    _check(staff, response, new.get_absolute_url() if new else list_url)
    _check(staff, response, list_url)
    if new is not None:
        edit = reverse("workshops:workshop_edit", args=[new.pk])
        _answered_as_text(staff.post(edit, base | full))
        _check(staff, staff.post(edit, base | fitting), new.get_absolute_url())
    _no_nul_stored(
        (Workshop.objects, "title"),
        (Workshop.objects, "description"),
        (Workshop.objects, "location"),
    )


@pytest.fixture
def planned(process, personas):
    workshop = make_workshop(process, user=personas["district_staff"])
    return {"workshop": workshop, "session": make_session(workshop, duration=720)}


@fuzzes("workshops.planning_forms.SessionForm", "workshops.planning_forms.AgendaItemForm")
@given(text=TEXT)
@HYPOTHESIS
def test_session_and_agenda_item_forms(staff, planned, text):
    workshop, session = planned["workshop"], planned["session"]
    starts_at = at(40).strftime("%Y-%m-%dT%H:%M")
    for tasks in (text, text[:5000]):
        data = {"starts_at": starts_at, "duration_minutes": 120, "tasks_until_next": tasks}
        response = staff.post(reverse("workshops:session_new", args=[workshop.pk]), data)
        _answered_as_text(response)
        _check(staff, response, workshop.get_absolute_url())
        response = staff.post(reverse("workshops:session_edit", args=[session.pk]), data)
        _answered_as_text(response)
        _check(staff, response, workshop.get_absolute_url())
    new_item = reverse("workshops:agenda_item_new", args=[session.pk])
    for title, notes in ((text, text), (text[:200], text[:2000])):
        data = {"title": title, "duration_minutes": 1, "notes": notes}
        response = staff.post(new_item, data)
        _answered_as_text(response)
        _check(staff, response, workshop.get_absolute_url())
    item = AgendaItem.objects.filter(session=session).order_by("-pk").first()
    if item is not None:
        edit = reverse("workshops:agenda_item_edit", args=[item.pk])
        response = staff.post(edit, {"title": text[:200], "duration_minutes": 1, "notes": text})
        _answered_as_text(response)
        _check(staff, response, workshop.get_absolute_url())
    _no_nul_stored(
        (type(session).objects, "tasks_until_next"),
        (AgendaItem.objects, "title"),
        (AgendaItem.objects, "notes"),
    )


@fuzzes("workshops.planning_forms.EmailInviteForm", "workshops.planning_forms.ActorGroupInviteForm")
@given(text=TEXT)
@HYPOTHESIS
def test_invitation_forms(staff, planned, text):
    workshop = planned["workshop"]
    invitations = reverse("workshops:invitations", args=[workshop.pk])
    group = ActorGroup.objects.first() or ActorGroup.objects.create(name="Wirtschaft")
    posts = [
        {"action": "email", "email-emails": text},
        {"action": "email", "email-emails": f"gast@example.org\n{text}"},
        {"action": "group", "group-actor_group": group.pk, "group-emails": text},
        {"action": "group", "group-actor_group": text, "group-emails": text},
        {"action": text, "email-emails": text},
    ]
    for data in posts:
        response = staff.post(invitations, data)
        # The refused addresses are named in the error messages: as text.
        _answered_as_text(response)
        _check(staff, response, invitations)
    _check(staff, response, workshop.get_absolute_url())
