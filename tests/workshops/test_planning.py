"""Planning workshops: list, detail with timed agendas, forms and their validation, invitees,
attendance, permissions (URL × role) and query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from strategy.models import ActorGroup, StrategyProcess, ThemeField
from strategy.services import process_create
from tests.factories import UserFactory
from tests.workshops import at, english, first_step, make_session, make_workshop
from workshops.models import AgendaItem, Attendance, Workshop, WorkshopInvitation, WorkshopSession
from workshops.planning_selectors import session_plan, workshop_detail, workshop_list
from workshops.planning_services import (
    WorkshopError,
    attendance_record,
    invitees_add_guests,
    invitees_add_municipality,
    invitees_add_role,
    session_update,
    workshop_cancel,
    workshop_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(personas):
    return personas["district_staff"]


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return english(client)


@pytest.fixture
def workshop(process, staff):
    return make_workshop(process, user=staff)


def _workshop_data(process, **changes):
    return {
        "step": first_step(process).pk,
        "kind": "kickoff",
        "title": "Auftakt",
        "description": "",
        "location": "Kreishaus Coesfeld",
        "online_link": "",
    } | changes


# --- Planned times of the agenda -------------------------------------------------------------


def test_agenda_items_get_planned_times_from_the_items_before_them(workshop):
    session = make_session(
        workshop,
        starts_at=at(30, 10),
        duration=60,
        items=[("Begrüßung", 20), ("Bestandsaufnahme", 30), ("Ausblick", 10)],
    )
    plan = session_plan(session=session)
    times = [(p.starts_at.strftime("%H:%M"), p.ends_at.strftime("%H:%M")) for p in plan.items]
    assert times == [("10:00", "10:20"), ("10:20", "10:50"), ("10:50", "11:00")]
    assert plan.agenda_minutes == 60 and plan.overrun_minutes == 0
    assert not any(p.overruns for p in plan.items)


def test_detail_shows_planned_times_and_warns_when_the_agenda_overruns(staff_client, workshop):
    make_session(
        workshop,
        starts_at=at(30, 10),
        duration=60,
        items=[("Begrüßung", 20), ("Gruppenarbeit", 45)],
        tasks="Ideen aus der eigenen Kommune sammeln",
    )
    html = staff_client.get(workshop.get_absolute_url()).content.decode()
    assert "10:00–10:20" in html and "10:20–11:05" in html
    assert (
        "The agenda takes 65 minutes and runs 5 minutes past the end of the session "
        "(60 minutes)." in html
    )
    assert "Ideen aus der eigenen Kommune sammeln" in html
    assert html.count('<section id="session-') == 1


def test_agenda_that_fits_has_no_warning(staff_client, workshop):
    make_session(workshop, duration=60, items=[("Begrüßung", 20), ("Arbeit", 40)])
    html = staff_client.get(workshop.get_absolute_url()).content.decode()
    assert "past the end of the session" not in html


def test_sessions_are_shown_in_order_of_their_dates(staff_client, workshop):
    later = make_session(workshop, starts_at=at(40, 14))
    earlier = make_session(workshop, starts_at=at(20, 9))
    detail = workshop_detail(workshop=workshop)
    assert [plan.session for plan in detail.sessions] == [earlier, later]
    assert [plan.number for plan in detail.sessions] == [1, 2]
    html = staff_client.get(workshop.get_absolute_url()).content.decode()
    assert html.index(f'id="session-{earlier.pk}"') < html.index(f'id="session-{later.pk}"')


# --- Creating and editing through the pages --------------------------------------------------


def test_staff_plans_a_workshop_with_a_session_and_an_agenda(staff_client, process, reference):
    field = ThemeField.objects.get(name="Mobilität")
    response = staff_client.post(
        reverse("workshops:workshop_new"),
        _workshop_data(
            process,
            kind="thematic",
            title="Themenworkshop Mobilität",
            theme_fields=[field.pk],
            location="",
            online_link="https://konferenz.example.org/mobilitaet",
        ),
    )
    workshop = Workshop.objects.get()
    assert response.status_code == 302 and response["Location"] == workshop.get_absolute_url()
    assert list(workshop.theme_fields.all()) == [field]
    assert workshop.process == process and workshop.sequence == 0

    response = staff_client.post(
        reverse("workshops:session_new", args=[workshop.pk]),
        {
            "starts_at": at(21, 9, 30).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 90,
            "tasks_until_next": "",
        },
    )
    assert response.status_code == 302
    session = WorkshopSession.objects.get()
    assert session.starts_at == at(21, 9, 30) and session.duration_minutes == 90

    for title, minutes in [("Begrüßung", 15), ("Ideen sammeln", 45)]:
        response = staff_client.post(
            reverse("workshops:agenda_item_new", args=[session.pk]),
            {"title": title, "duration_minutes": minutes, "notes": ""},
        )
        assert response.status_code == 302
    first, second = AgendaItem.objects.order_by("position")
    staff_client.post(reverse("workshops:agenda_item_move", args=[second.pk]), {"direction": "up"})
    assert list(session.agenda.order_by("position").values_list("title", flat=True)) == [
        "Ideen sammeln",
        "Begrüßung",
    ]
    staff_client.post(
        reverse("workshops:agenda_item_edit", args=[first.pk]),
        {"title": "Begrüßung und Vorstellung", "duration_minutes": 20, "notes": ""},
    )
    staff_client.post(reverse("workshops:agenda_item_delete", args=[second.pk]))
    assert list(session.agenda.values_list("title", "duration_minutes", "position")) == [
        ("Begrüßung und Vorstellung", 20, 1)
    ]
    html = staff_client.get(workshop.get_absolute_url()).content.decode()
    assert "Themenworkshop Mobilität" in html and "09:30–09:50" in html


def test_moving_the_first_item_up_is_refused_with_a_message(staff_client, workshop):
    session = make_session(workshop, items=[("A", 10), ("B", 10)])
    first = session.agenda.get(title="A")
    response = staff_client.post(
        reverse("workshops:agenda_item_move", args=[first.pk]), {"direction": "up"}, follow=True
    )
    assert "This item is already the first." in response.content.decode()
    assert list(session.agenda.values_list("title", flat=True)) == ["A", "B"]


def test_staff_edits_the_workshop_and_a_session(staff_client, workshop, process):
    session = make_session(workshop, starts_at=at(30, 10), duration=120)
    response = staff_client.post(
        reverse("workshops:workshop_edit", args=[workshop.pk]),
        _workshop_data(process, title="Auftakt (neu)", location="Kreishaus, Saal"),
    )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.title == "Auftakt (neu)" and workshop.location == "Kreishaus, Saal"
    response = staff_client.post(
        reverse("workshops:session_edit", args=[session.pk]),
        {
            "starts_at": at(31, 14).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 180,
            "tasks_until_next": "Lesen",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == at(31, 14) and session.duration_minutes == 180
    assert session.tasks_until_next == "Lesen"


def test_facilitator_is_offered_only_staff_and_consultants(staff_client, personas, process):
    html = staff_client.get(reverse("workshops:workshop_new")).content.decode()
    assert f"{personas['consultant'].get_full_name()} (External consultant)" in html
    assert personas["rep_duelmen"].get_full_name() not in html


def test_a_named_facilitator_without_a_running_role_edits_only_own_workshops(
    client, process, personas, workshop
):
    # Somebody who facilitated as a consultant and now has another role keeps their workshop.
    person = personas["working_group"]
    workshop.facilitators.add(person)
    other = make_workshop(process, title="Anderer Workshop")
    client.force_login(person)
    assert client.get(reverse("workshops:workshop_edit", args=[workshop.pk])).status_code == 200
    assert client.get(reverse("workshops:workshop_edit", args=[other.pk])).status_code == 403
    assert client.get(reverse("workshops:workshop_new")).status_code == 403


def test_session_delete_renumbers_the_others(staff_client, workshop):
    first = make_session(workshop, starts_at=at(10))
    second = make_session(workshop, starts_at=at(20))
    response = staff_client.post(reverse("workshops:session_delete", args=[first.pk]))
    assert response.status_code == 302
    assert list(WorkshopSession.objects.values_list("pk", "position")) == [(second.pk, 1)]


# --- Bad input: a clear message, nothing changed ----------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "thematic"}, "A thematic workshop needs at least one theme field."),
        (
            {"location": "", "online_link": ""},
            "Please enter a place or an online meeting link (or both).",
        ),
        ({"online_link": "javascript:alert(1)", "location": ""}, "Enter a valid URL."),
        ({"step": 999999}, "Select a valid choice."),
    ],
)
def test_invalid_workshop_is_not_saved(staff_client, process, changes, message):
    response = staff_client.post(
        reverse("workshops:workshop_new"), _workshop_data(process, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Workshop.objects.exists()


def test_invalid_edit_changes_nothing(staff_client, workshop, process):
    response = staff_client.post(
        reverse("workshops:workshop_edit", args=[workshop.pk]),
        _workshop_data(process, title="Neu", kind="thematic", location=""),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "A thematic workshop needs at least one theme field." in html
    assert "Please enter a place or an online meeting link (or both)." in html
    workshop.refresh_from_db()
    assert (workshop.title, workshop.kind) == ("Auftaktworkshop Smart Region", "kickoff")


def test_workshop_of_a_step_of_another_edition_is_refused(process, staff):
    other = process_create(title="Fortschreibung", year=2031)
    with pytest.raises(WorkshopError):
        workshop_create(
            process=process,
            step=first_step(other),
            kind="kickoff",
            title="X",
            location="Y",
            user=staff,
        )
    assert not Workshop.objects.exists()


@pytest.mark.parametrize("minutes", [0, 14, 721, 5000])
def test_session_duration_out_of_range(staff_client, workshop, minutes):
    response = staff_client.post(
        reverse("workshops:session_new", args=[workshop.pk]),
        {"starts_at": at(30).strftime("%Y-%m-%dT%H:%M"), "duration_minutes": minutes},
    )
    assert response.status_code == 200
    assert "A session lasts between 15 and 720 minutes." in response.content.decode()
    assert not WorkshopSession.objects.exists()


def test_session_without_a_valid_start_is_not_saved(staff_client, workshop):
    response = staff_client.post(
        reverse("workshops:session_new", args=[workshop.pk]),
        {"starts_at": "morgen früh", "duration_minutes": 60},
    )
    assert response.status_code == 200 and "Enter a valid date/time." in response.content.decode()
    assert not WorkshopSession.objects.exists()


@pytest.mark.parametrize("minutes", [0, 481])
def test_agenda_item_duration_out_of_range(staff_client, workshop, minutes):
    session = make_session(workshop, items=[("Begrüßung", 10)])
    item = session.agenda.get()
    response = staff_client.post(
        reverse("workshops:agenda_item_new", args=[session.pk]),
        {"title": "Zu lang", "duration_minutes": minutes},
    )
    assert "An agenda item lasts between 1 and 480 minutes." in response.content.decode()
    response = staff_client.post(
        reverse("workshops:agenda_item_edit", args=[item.pk]),
        {"title": "Geändert", "duration_minutes": minutes},
    )
    assert "An agenda item lasts between 1 and 480 minutes." in response.content.decode()
    assert list(AgendaItem.objects.values_list("title", "duration_minutes")) == [("Begrüßung", 10)]


def test_invalid_addresses_are_named_and_nothing_is_added(staff_client, workshop):
    response = staff_client.post(
        reverse("workshops:invitations", args=[workshop.pk]),
        {
            "action": "email",
            "email-emails": "gut@example.org\nkein-at-zeichen\n<b>x</b>@@example.org",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“kein-at-zeichen” is not a valid e-mail address." in html
    assert "“&lt;b&gt;x&lt;/b&gt;@@example.org” is not a valid e-mail address." in html
    assert "<b>x</b>" not in html
    assert not WorkshopInvitation.objects.exists()


def test_actor_group_invitation_needs_a_group(staff_client, workshop):
    response = staff_client.post(
        reverse("workshops:invitations", args=[workshop.pk]),
        {"action": "group", "group-actor_group": "", "group-emails": "a@example.org"},
    )
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not WorkshopInvitation.objects.exists()


def test_workshop_of_an_archived_process_cannot_be_changed(staff_client, workshop, process):
    session = make_session(workshop, items=[("Begrüßung", 10)])
    StrategyProcess.objects.filter(pk=process.pk).update(status=StrategyProcess.Status.ARCHIVED)
    # Refused by the permission rules (the edition is read-only), with the reason.
    message = "This edition is archived and can no longer be changed."
    response = staff_client.get(reverse("workshops:workshop_edit", args=[workshop.pk]))
    assert response.status_code == 403 and message in response.content.decode()
    response = staff_client.post(
        reverse("workshops:workshop_edit", args=[workshop.pk]),
        _workshop_data(process, title="Geändert"),
    )
    assert response.status_code == 403 and message in response.content.decode()
    staff_client.post(
        reverse("workshops:session_new", args=[workshop.pk]),
        {"starts_at": at(50).strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 60},
    )
    staff_client.post(reverse("workshops:agenda_item_delete", args=[session.agenda.get().pk]))
    workshop.refresh_from_db()
    assert workshop.title == "Auftaktworkshop Smart Region"
    assert WorkshopSession.objects.count() == 1 and AgendaItem.objects.count() == 1
    detail = staff_client.get(workshop.get_absolute_url()).content.decode()
    assert reverse("workshops:workshop_edit", args=[workshop.pk]) not in detail


def test_no_new_workshop_without_a_running_process(staff_client, process):
    StrategyProcess.objects.update(status=StrategyProcess.Status.ARCHIVED)
    response = staff_client.get(reverse("workshops:workshop_new"), follow=True)
    assert "There is no running strategy process." in response.content.decode()
    response = staff_client.post(reverse("workshops:workshop_new"), _workshop_data(process))
    assert response.status_code == 302 and not Workshop.objects.exists()


def test_cancelled_workshop_cannot_be_edited(staff_client, workshop, process):
    session = make_session(workshop, items=[("Begrüßung", 10)])
    workshop_cancel(workshop=workshop)
    message = "This workshop was cancelled and can no longer be changed."
    for url, data in [
        (reverse("workshops:workshop_edit", args=[workshop.pk]), _workshop_data(process)),
        (
            reverse("workshops:session_edit", args=[session.pk]),
            {"starts_at": at(60).strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 60},
        ),
        (
            reverse("workshops:agenda_item_new", args=[session.pk]),
            {"title": "Neu", "duration_minutes": 5},
        ),
        (reverse("workshops:session_delete", args=[session.pk]), {}),
        (reverse("workshops:workshop_cancel", args=[workshop.pk]), {}),
        (
            reverse("workshops:invitations", args=[workshop.pk]),
            {"action": "email", "email-emails": "neu@example.org"},
        ),
    ]:
        response = staff_client.post(url, data, follow=True)
        assert message in response.content.decode(), url
    workshop.refresh_from_db()
    assert workshop.title == "Auftaktworkshop Smart Region" and workshop.sequence == 1
    session.refresh_from_db()
    assert session.starts_at == at(30) and AgendaItem.objects.count() == 1
    assert not WorkshopInvitation.objects.exists()
    html = staff_client.get(workshop.get_absolute_url()).content.decode()
    assert "This workshop was cancelled." in html


def test_user_text_is_shown_escaped(staff_client, process, workshop):
    evil = '<script>alert("x")</script>'
    Workshop.objects.filter(pk=workshop.pk).update(title=evil, description=evil)
    make_session(workshop, items=[(evil, 10)])
    for url in [reverse("workshops:workshop_list"), workshop.get_absolute_url()]:
        html = staff_client.get(url).content.decode()
        assert evil not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


# --- The list --------------------------------------------------------------------------------


@pytest.mark.clock
def test_list_splits_upcoming_and_past_with_counts(staff_client, process, personas):
    upcoming = make_workshop(process, title="Kommender Workshop")
    make_session(upcoming, starts_at=at(10, 9))
    make_session(upcoming, starts_at=at(17, 9))
    invitees_add_role(workshop=upcoming, role=Role.MUNICIPAL_REP)
    past = make_workshop(process, title="Vergangener Workshop")
    make_session(past, starts_at=at(-20))
    unscheduled = make_workshop(process, title="Noch ohne Termin")

    overview = workshop_list()
    assert overview.upcoming == [upcoming, unscheduled]
    assert overview.past == [past]
    first = overview.upcoming[0]
    assert (first.session_count, first.invitee_count) == (2, 2)
    assert first.first_start == at(10, 9)

    html = staff_client.get(reverse("workshops:workshop_list")).content.decode()
    assert html.index("Kommender Workshop") < html.index("Past workshops")
    assert html.index("Vergangener Workshop") > html.index("Past workshops")
    assert "Kick-off" in html and "no date yet" in html


@pytest.mark.clock
def test_a_workshop_stays_upcoming_through_the_day_of_its_last_session(process):
    """The split is by the day in Berlin: a session at 00:00 today (whatever the time now, and
    on a day with a DST change) keeps its workshop upcoming; 23:59 yesterday makes it past."""
    today = make_workshop(process, title="Heute")
    make_session(today, starts_at=at(0, 0, 0))
    yesterday = make_workshop(process, title="Gestern")
    make_session(yesterday, starts_at=at(-1, 23, 59))
    overview = workshop_list()
    assert overview.upcoming == [today] and overview.past == [yesterday]


# --- Invitees --------------------------------------------------------------------------------


def test_invite_by_role_takes_active_accounts_with_an_address(workshop, personas, reference):
    inactive = UserFactory(role=Role.MUNICIPAL_REP, municipality=reference["Ascheberg"])
    inactive.is_active = False
    inactive.save()
    UserFactory(role=Role.MUNICIPAL_REP, municipality=reference["Olfen"], email="")
    result = invitees_add_role(workshop=workshop, role=Role.MUNICIPAL_REP)
    assert (result.added, result.already_invited, result.without_email) == (2, 0, 1)
    invitations = WorkshopInvitation.objects.order_by("email")
    assert {i.user for i in invitations} == {personas["rep_duelmen"], personas["rep_nottuln"]}
    duelmen = invitations.get(user=personas["rep_duelmen"])
    assert duelmen.municipality == reference["Dülmen"] and duelmen.name
    again = invitees_add_role(workshop=workshop, role=Role.MUNICIPAL_REP)
    assert (again.added, again.already_invited) == (0, 2)
    assert WorkshopInvitation.objects.count() == 2


def test_invite_by_municipality(workshop, personas, reference):
    colleague = UserFactory(role=Role.COUNCILLOR, municipality=reference["Dülmen"])
    result = invitees_add_municipality(workshop=workshop, municipality=reference["Dülmen"])
    assert result.added == 2
    assert set(WorkshopInvitation.objects.values_list("user", flat=True)) == {
        personas["rep_duelmen"].pk,
        colleague.pk,
    }


def test_invite_guests_of_an_actor_group_through_the_page(staff_client, workshop, personas):
    group = ActorGroup.objects.first()
    known = personas["consultant"]
    response = staff_client.post(
        reverse("workshops:invitations", args=[workshop.pk]),
        {
            "action": "group",
            "group-actor_group": group.pk,
            "group-emails": "Pflege@Klinik.example\n\npflege@klinik.example\n"
            + known.email.upper(),
        },
        follow=True,
    )
    assert "2 invitees added, 0 were already invited." in response.content.decode()
    guest = WorkshopInvitation.objects.get(email="pflege@klinik.example")
    assert guest.user is None and guest.actor_group == group
    linked = WorkshopInvitation.objects.get(email=known.email.lower())
    assert linked.user == known and linked.actor_group == group


def test_invite_single_addresses_ignores_duplicates(staff_client, workshop, personas):
    invitees_add_role(workshop=workshop, role=Role.CONSULTANT)
    consultant = personas["consultant"]
    result = invitees_add_guests(
        workshop=workshop, emails=["gast@example.org", consultant.email, "GAST@example.org"]
    )
    assert (result.added, result.already_invited) == (1, 2)
    assert sorted(WorkshopInvitation.objects.values_list("email", flat=True)) == sorted(
        ["gast@example.org", consultant.email.lower()]
    )
    response = staff_client.post(
        reverse("workshops:invitations", args=[workshop.pk]),
        {"action": "email", "email-emails": "gast@example.org; neu@example.org"},
        follow=True,
    )
    assert "1 invitees added, 1 were already invited." in response.content.decode()
    assert WorkshopInvitation.objects.count() == 3


def test_invite_by_role_and_municipality_through_the_page(staff_client, workshop, reference):
    url = reverse("workshops:invitations", args=[workshop.pk])
    staff_client.post(url, {"action": "role", "role-role": Role.MUNICIPAL_REP})
    staff_client.post(
        url, {"action": "municipality", "municipality-municipality": reference["Dülmen"].pk}
    )
    assert WorkshopInvitation.objects.count() == 2
    html = staff_client.get(url).content.decode()
    assert "2 invited: 0 yes, 0 no, 0 maybe, 2 without an answer." in html


def test_unsent_invitee_can_be_removed(staff_client, workshop):
    invitees_add_guests(workshop=workshop, emails=["weg@example.org"])
    invitation = WorkshopInvitation.objects.get()
    response = staff_client.post(reverse("workshops:invitee_remove", args=[invitation.pk]))
    assert response.status_code == 302 and not WorkshopInvitation.objects.exists()


# --- Attendance ------------------------------------------------------------------------------


@pytest.mark.clock
def test_facilitator_records_attendance_after_the_session(staff_client, workshop):
    session = make_session(workshop, starts_at=at(-1, 10))
    invitees_add_guests(
        workshop=workshop, emails=["a@example.org", "b@example.org", "c@example.org"]
    )
    a, b, c = WorkshopInvitation.objects.order_by("email")
    url = reverse("workshops:attendance", args=[session.pk])
    html = staff_client.get(url).content.decode()
    for invitation in (a, b, c):
        assert '<label class="form-check-label" for="id_attended_' in html
        assert invitation.email in html
    response = staff_client.post(url, {"attended": [a.pk, c.pk]})
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("invitation__email", "attended")) == {
        "a@example.org": True,
        "b@example.org": False,
        "c@example.org": True,
    }
    # Correcting it replaces the record.
    staff_client.post(url, {"attended": [b.pk]})
    assert set(Attendance.objects.filter(attended=True).values_list("invitation", flat=True)) == {
        b.pk
    }
    assert f'value="{b.pk}" id="id_attended_1" checked' in staff_client.get(url).content.decode()
    detail = staff_client.get(workshop.get_absolute_url()).content.decode()
    assert "1 of 3 invitees attended." in detail


@pytest.mark.clock
def test_attendance_before_the_session_is_refused(staff_client, workshop):
    session = make_session(workshop, starts_at=at(5))
    invitees_add_guests(workshop=workshop, emails=["a@example.org"])
    invitation = WorkshopInvitation.objects.get()
    response = staff_client.post(
        reverse("workshops:attendance", args=[session.pk]), {"attended": [invitation.pk]}
    )
    assert "Attendance can be recorded once the session has begun." in response.content.decode()
    assert not Attendance.objects.exists()


def test_attendance_of_someone_not_invited_is_refused(workshop, process):
    session = make_session(workshop, starts_at=at(-1))
    other = make_workshop(process, title="Anderer")
    invitees_add_guests(workshop=other, emails=["fremd@example.org"])
    with pytest.raises(WorkshopError):
        attendance_record(session=session, attended_ids=[WorkshopInvitation.objects.get().pk])
    assert not Attendance.objects.exists()


# --- Permissions: URL × role → status ---------------------------------------------------------

ROLES = [
    "anonymous",
    "district_staff",
    "consultant",
    "rep_duelmen",
    "working_group",
    "councillor",
    "admin",
    "facilitator",
]
L = "login"


def row(anon, staff, consultant, rep, wg, councillor, admin, facilitator):
    values = [anon, staff, consultant, rep, wg, councillor, admin, facilitator]
    return dict(zip(ROLES, values, strict=True))


READ = row(L, 200, 200, 200, 200, 200, 200, 200)
RUN = row(L, 200, 200, 403, 403, 403, 200, 200)
POST_RUN = row(L, 302, 302, 403, 403, 403, 302, 302)
PUBLIC = row(200, 200, 200, 200, 200, 200, 200, 200)

# (URL name, object, method, data, expectations). Allowed POSTs with data change something.
TABLE = [
    ("workshops:workshop_list", None, "get", None, READ),
    ("workshops:workshop_new", None, "get", None, RUN),
    ("workshops:workshop_new", None, "post", "workshop", POST_RUN),
    ("workshops:workshop_detail", "workshop", "get", None, READ),
    ("workshops:workshop_edit", "workshop", "get", None, RUN),
    ("workshops:workshop_edit", "workshop", "post", "workshop", POST_RUN),
    ("workshops:workshop_cancel", "workshop", "get", None, RUN),
    ("workshops:workshop_cancel", "workshop", "post", None, POST_RUN),
    ("workshops:session_new", "workshop", "get", None, RUN),
    ("workshops:session_new", "workshop", "post", "session", POST_RUN),
    ("workshops:session_edit", "session", "get", None, RUN),
    ("workshops:session_edit", "session", "post", "session", POST_RUN),
    ("workshops:session_delete", "session", "post", None, POST_RUN),
    ("workshops:agenda_item_new", "session", "get", None, RUN),
    ("workshops:agenda_item_new", "session", "post", "item", POST_RUN),
    ("workshops:agenda_item_edit", "item", "get", None, RUN),
    ("workshops:agenda_item_edit", "item", "post", "item", POST_RUN),
    ("workshops:agenda_item_delete", "item", "post", None, POST_RUN),
    ("workshops:agenda_item_move", "item", "post", "move", POST_RUN),
    ("workshops:invitations", "workshop", "get", None, RUN),
    ("workshops:invitations", "workshop", "post", "invite", POST_RUN),
    ("workshops:invitations_send", "workshop", "post", None, POST_RUN),
    ("workshops:invitee_remove", "invitation", "post", None, POST_RUN),
    ("workshops:attendance", "past_session", "get", None, RUN),
    ("workshops:attendance", "past_session", "post", "attendance", POST_RUN),
    # The answer link works without an account; its token is the credential.
    ("workshops:rsvp", "token", "get", None, PUBLIC),
    ("workshops:rsvp", "token", "post", "rsvp", row(*[302] * 8)),
    ("workshops:rsvp", "unknown_token", "get", None, row(*[404] * 8)),
]


@pytest.fixture
def table_objects(process, personas):
    workshop = make_workshop(process, title="Tabellen-Workshop")
    facilitator = UserFactory(role=Role.CONSULTANT)
    workshop.facilitators.add(facilitator)
    personas = personas | {"facilitator": facilitator}
    session = make_session(workshop, starts_at=at(30), items=[("Eins", 10), ("Zwei", 10)])
    past_session = make_session(workshop, starts_at=at(-2))
    invitees_add_guests(workshop=workshop, emails=["gast@example.org", "zweiter@example.org"])
    invitation = WorkshopInvitation.objects.get(email="gast@example.org")
    kwargs = {
        "workshop": {"pk": workshop.pk},
        "session": {"pk": session.pk},
        "past_session": {"pk": past_session.pk},
        "item": {"pk": session.agenda.order_by("position")[0].pk},
        "invitation": {"pk": invitation.pk},
        "token": {"token": invitation.token},
        "unknown_token": {"token": "kein-gueltiger-token"},
    }
    data = {
        "workshop": _workshop_data(process, title="Geänderter Titel"),
        "session": {"starts_at": at(45).strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 60},
        "item": {"title": "Geänderter Punkt", "duration_minutes": 33},
        "move": {"direction": "down"},
        "invite": {"action": "email", "email-emails": "neu@example.org"},
        "attendance": {"attended": [invitation.pk]},
        "rsvp": {"response": "yes"},
    }
    return {"personas": personas, "kwargs": kwargs, "data": data}


def _state():
    """Everything a planning request could change."""
    return {
        "workshops": list(
            Workshop.objects.order_by("pk").values_list("title", "status", "sequence")
        ),
        "sessions": list(
            WorkshopSession.objects.order_by("pk").values_list("starts_at", "duration_minutes")
        ),
        "items": list(
            AgendaItem.objects.order_by("pk").values_list("title", "duration_minutes", "position")
        ),
        "invitations": list(
            WorkshopInvitation.objects.order_by("pk").values_list(
                "email", "response", "sent_sequence"
            )
        ),
        "attendance": list(Attendance.objects.values_list("invitation", "attended")),
    }


CASES = [(entry, role) for entry in TABLE for role in ROLES]


@pytest.mark.parametrize(
    ("entry", "role"),
    CASES,
    ids=[f"{entry[0].split(':')[1]}-{entry[2]}-{entry[1]}-{role}" for entry, role in CASES],
)
def test_url_role_matrix(client, table_objects, entry, role, django_capture_on_commit_callbacks):
    name, object_key, method, data_key, expectations = entry
    expected = expectations[role]
    if role != "anonymous":
        client.force_login(table_objects["personas"][role])
    url = reverse(name, kwargs=table_objects["kwargs"][object_key] if object_key else None)
    data = table_objects["data"][data_key] if data_key else {}
    before = _state()
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client, method)(url, data)
    if expected == L:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected
        if expected == 302:
            assert not response["Location"].startswith(reverse("accounts:login"))
    if method == "post":
        if expected in (403, L):
            assert _state() == before
        else:
            assert _state() != before, "an allowed write should have changed something"


def test_every_planning_url_is_in_the_table():
    from workshops.planning_urls import urlpatterns

    assert {f"workshops:{p.name}" for p in urlpatterns} == {entry[0] for entry in TABLE}


# --- Query counts ----------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def _grow(workshop, *, sessions, items, guests, offset):
    for number in range(sessions):
        session = make_session(
            workshop,
            starts_at=at(offset + number - 3, 9),
            items=[(f"Punkt {i}", 5) for i in range(items)],
        )
        invitees_add_guests(
            workshop=workshop,
            emails=[f"gast{offset}-{number}-{i}@example.org" for i in range(guests)],
            actor_group=ActorGroup.objects.first(),
        )
        # Only a session that has begun takes attendance; "today at 09:00" has not begun
        # when the suite runs early in the morning.
        if session.starts_at < timezone.now():
            attended = list(workshop.invitations.values_list("pk", flat=True))[:2]
            attendance_record(session=session, attended_ids=attended)


@pytest.mark.clock
def test_query_counts_do_not_grow_with_the_data(staff_client, process, personas):
    workshop = make_workshop(process, facilitators=[personas["consultant"]])
    workshop.theme_fields.set(ThemeField.objects.all()[:2])
    _grow(workshop, sessions=1, items=1, guests=1, offset=0)
    invitees_add_role(workshop=workshop, role=Role.MUNICIPAL_REP)
    urls = [
        reverse("workshops:workshop_list"),
        workshop.get_absolute_url(),
        reverse("workshops:invitations", args=[workshop.pk]),
    ]
    small = {url: _queries(staff_client, url) for url in urls}

    _grow(workshop, sessions=4, items=6, guests=10, offset=0)
    for number in range(8):
        other = make_workshop(process, title=f"Workshop {number}")
        _grow(other, sessions=2, items=2, guests=3, offset=number * 3)
    large = {url: _queries(staff_client, url) for url in urls}

    assert small == large
    assert max(large.values()) <= 15, large


def test_session_update_keeps_agenda(workshop):
    session = make_session(workshop, items=[("A", 10)])
    session_update(session=session, starts_at=at(31), duration_minutes=60)
    assert session.agenda.count() == 1
    assert WorkshopSession.objects.get().starts_at == at(31)
    # Nothing was sent yet, so there is no calendar version to supersede.
    assert Workshop.objects.get().sequence == 0


def test_session_plan_of_a_session_without_agenda(workshop):
    session = make_session(workshop, duration=30)
    plan = session_plan(session=session)
    assert plan.items == [] and plan.overrun_minutes == 0
    assert plan.agenda_ends_at == session.starts_at
    assert session.ends_at - session.starts_at == timedelta(minutes=30)


def test_a_session_is_named_by_its_day_in_berlin(workshop):
    """Regression: a session just after midnight was named by the UTC date, the day before."""
    session = make_session(workshop, starts_at=at(30, 0, 30))
    session.refresh_from_db()
    assert str(session).endswith(f"({at(30):%d.%m.%Y})")
