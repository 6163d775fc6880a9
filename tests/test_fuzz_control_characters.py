"""Control characters in every text field of every form of the portal (issue 11, item 14):
posted through the real pages, a line break ("\\r\\n"), NUL or ESC in a single-line field, and
NUL or ESC in a multi-line field, is refused with a German message and changes nothing in
the database; the same post without the character is accepted (so the refusal is the
character's). A line break in a workshop title used to end up in the invitation e-mails'
headers and make them fail in the worker.

Each case names its forms; ``test_fuzz_forms.test_every_text_form_refuses_control_characters``
fails for a form with a text field that no case names, and the fields come from the form
classes themselves, so a new field is tested as soon as it exists."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Role
from accounts.services import invitation_token
from strategy.models import ActorGroup, StrategyProcess, ThemeField
from strategy.services import process_advance
from tests.fuzzing import CONTROL_VALUES, db_snapshot, refuses_controls, text_fields
from tests.test_permissions import _jpeg, objects  # noqa: F401
from tests.workshops.test_live_factories import fresh_cache  # noqa: F401
from workshops.models import Activity, Card, WorkshopSession

SINGLE_LINE_MESSAGE = (
    "Bitte geben Sie eine einzige Zeile ein, ohne Zeilenumbrüche oder Steuerzeichen."
)
MULTI_LINE_MESSAGE = "Der Text darf keine Steuerzeichen enthalten."


# Fields that drop control characters instead of refusing them: the council paper is pasted
# from Word documents (adoption.decision_forms.CouncilPaperForm). Saved, without them.
CLEANED = {"CouncilPaperForm.paper_text"}
# Fields whose own check refuses the value first, with its own message: addresses and web
# addresses (which never contain control characters), the join code (spaces and line breaks
# do not matter in it, the rest makes it a wrong code).
# Django's user name validator refuses anything but letters, digits and @.+-_ itself.
OWN_CHECKS = {"email", "emails", "link", "links", "ris_url", "online_link", "code", "username"}


@dataclass
class Case:
    """A form's page, who posts, and valid data for every text field of the form."""

    url: str
    data: callable  # () -> fresh valid data (uploads cannot be posted twice)
    role: str = "district_staff"
    # Form field name -> posted name (formset prefixes, the dot vote's button name).
    posted: dict = field(default_factory=dict)
    # A page to open first: taking part in a live session makes the account a participant.
    visit: str | None = None
    # Whether an accepted post stores something (a password reset request only hands a mail
    # to the worker).
    stores: bool = True


def _today():
    return timezone.localdate()


# --- The cases: one per page; ``ctx`` holds the personas and the permission table's objects.


@refuses_controls("strategy.forms.ThemeFieldForm")
def theme_field(ctx):
    return Case(
        reverse("strategy:themefield_new"),
        lambda: {"name": "Klimaschutz", "description": "Pflege", "position": 9},
    )


@refuses_controls("strategy.forms.ActorGroupForm")
def actor_group(ctx):
    return Case(
        reverse("strategy:actorgroup_new"), lambda: {"name": "Ehrenamt", "description": "Vereine"}
    )


@refuses_controls("strategy.forms.ProcessCreateForm")
def process_new(ctx):
    year = _today().year + 1
    return Case(
        reverse("strategy:process_new"),
        lambda: {"title": "Fortschreibung", "year": year, "description": "Zweite Ausgabe"},
    )


@refuses_controls("strategy.forms.TransitionForm")
def transition(ctx):
    return Case(
        reverse("strategy:process_advance", args=[ctx.process.pk]),
        lambda: {"note": "Weiter geht es"},
    )


@refuses_controls("strategy.forms_trust.ContentPageForm")
def content_page(ctx):
    return Case(
        reverse("strategy:content_page_edit", args=["datenschutz"]),
        lambda: {"title": "Datenschutz", "body": "Wir speichern wenig."},
    )


@refuses_controls("accounts.forms.InvitationForm")
def invitation(ctx):
    return Case(
        reverse("accounts:invitation_new"),
        lambda: {
            "email": "lea@example.org",
            "first_name": "Lea",
            "last_name": "Lehmann",
            "role": "councillor",
        },
    )


@refuses_controls("accounts.forms.AcceptInvitationForm")
def invitation_accept(ctx):
    invitation = Invitation.objects.create(
        email="max@example.org", first_name="Max", last_name="Muster", role=Role.COUNCILLOR
    )
    return Case(
        reverse("accounts:invitation_accept", args=[invitation_token(invitation)]),
        lambda: {
            "first_name": "Max",
            "last_name": "Muster",
            "password1": "Sonnenblume-Dülmen-77",
            "password2": "Sonnenblume-Dülmen-77",
        },
        role="anonymous",
    )


@refuses_controls("accounts.password_reset.PasswordResetRequestForm")
def password_reset(ctx):
    return Case(
        reverse("accounts:password_reset"),
        lambda: {"email": "lea@example.org"},
        role="anonymous",
        stores=False,
    )


@refuses_controls("accounts.admin.UserCreateForm")
def admin_user_add(ctx):
    return Case(
        reverse("admin:accounts_user_add"),
        lambda: {
            "username": "lea.lehmann",
            "usable_password": "true",
            "password1": "Sonnenblume-Dülmen-77",
            "password2": "Sonnenblume-Dülmen-77",
        },
        role="admin",
    )


@refuses_controls("accounts.admin.GuardedUserChangeForm")
def admin_user_change(ctx):
    person = ctx.personas["councillor"]
    return Case(
        reverse("admin:accounts_user_change", args=[person.pk]),
        lambda: {
            "username": person.username,
            "first_name": "Clara",
            "last_name": "Rat",
            "email": person.email,
            "is_active": "on",
            "role": person.role,
            "municipality": person.municipality_id or "",
            "organisation": "Stadtrat Coesfeld",
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
        },
        role="admin",
    )


@refuses_controls("inventory.forms.ProjectForm")
def project(ctx):
    return Case(
        reverse("inventory:project_new"),
        lambda: {
            "municipality": ctx.reference["Dülmen"].pk,
            "title": "Bürgerbus-App",
            "description": "Eine App",
            "status": "idea",
            "lead_organisation": "Stadtwerke",
            "contact_person": "Frau Beispiel",
            "target_groups": "Ältere",
            "links": "https://example.org/bus",
            "tags": "Mobilität",
        },
    )


@refuses_controls("inventory.forms.ExistingStrategyForm")
def existing_strategy(ctx):
    return Case(
        reverse("inventory:strategy_new"),
        lambda: {
            "municipality": ctx.reference["Olfen"].pk,
            "title": "Medienkonzept",
            "kind": "other",
            "summary": "Schulen",
            "link": "https://example.org/konzept",
        },
    )


@refuses_controls("inventory.forms.SynergyDecisionForm")
def synergy(ctx):
    return Case(
        reverse("inventory:synergy_decide", args=[ctx.objects["synergy"]["pk"]]),
        lambda: {"decision": "joint_project", "note": "Gemeinsam"},
    )


@refuses_controls("roadmaps.section_forms.SectionCreateForm")
def section_new(ctx):
    return Case(
        reverse("roadmaps:section_new"),
        lambda: {"kind": "chapter", "title": "Kapitel", "body": "Text"},
    )


@refuses_controls("roadmaps.section_forms.SectionEditForm")
def section_edit(ctx):
    return Case(
        reverse("roadmaps:section_edit", args=[ctx.objects["section"]["pk"]]),
        lambda: {"title": "Leitbild", "body": "Der Kreis ist digital.", "version": 1},
    )


@refuses_controls("roadmaps.section_forms.SectionCommentForm")
def section_comment(ctx):
    return Case(
        reverse("roadmaps:section_comment", args=[ctx.objects["section"]["pk"]]),
        lambda: {"text": "Gut so"},
    )


@refuses_controls("roadmaps.section_forms.StrategyFreezeForm")
def freeze(ctx):
    return Case(reverse("roadmaps:version_freeze"), lambda: {"note": "Entwurf"}, role="admin")


@refuses_controls("roadmaps.field_forms.VisionForm")
def field_vision(ctx):
    return Case(
        reverse("roadmaps:field_vision", args=[ctx.objects["field_plan"]["pk"]]),
        lambda: {"vision": "Schnelles Netz"},
    )


@refuses_controls("roadmaps.field_forms.GoalForm")
def goal(ctx):
    return Case(
        reverse("roadmaps:goal_new", args=[ctx.objects["field_plan"]["pk"]]),
        lambda: {"kind": "strategic", "parent": "", "title": "Netz", "description": "Überall"},
    )


@refuses_controls("roadmaps.field_forms.TargetValueForm")
def target(ctx):
    return Case(
        reverse("roadmaps:target_new", args=[ctx.objects["goal"]["pk"]]),
        lambda: {
            "indicator": "Quote",
            "unit": "%",
            "baseline_value": "10",
            "baseline_year": "2025",
            "target_value": "20",
            "target_year": "2030",
            "data_source": "Breitbandatlas",
            "responsible_body": "Kreis",
            "interval": "yearly",
        },
    )


@refuses_controls("roadmaps.field_forms.MeasurementForm")
def measurement(ctx):
    return Case(
        reverse("roadmaps:measurement_new", args=[ctx.objects["target"]["pk"]]),
        lambda: {"measured_on": "2027-06-30", "value": "5", "note": "Erhebung"},
    )


@refuses_controls("roadmaps.measure_forms.MeasureForm", "roadmaps.measure_forms.MilestoneForm")
def measure(ctx):
    return Case(
        reverse("roadmaps:measure_new"),
        lambda: {
            "number": "M-02",
            "title": "Bürgerbus",
            "theme_fields": [ThemeField.objects.first().pk],
            "description": "App",
            "target_group": "Ältere",
            "expected_benefit": "Mobilität",
            "lead_organisation": "Kreis",
            "partners": "Stadtwerke",
            "status": "proposed",
            "priority": "high",
            "origin": "new",
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "0",
            "milestones-MIN_NUM_FORMS": "0",
            "milestones-MAX_NUM_FORMS": "1000",
            "milestones-0-title": "Pilot",
            "milestones-0-due_on": "2027-06-30",
        },
        posted={"MilestoneForm.title": "milestones-0-title"},
    )


@refuses_controls("roadmaps.edition_forms.EditionStartForm")
def edition_start(ctx):
    process = ctx.process
    while process.status != StrategyProcess.Status.COMPLETED:
        process_advance(process=process, by=ctx.personas["district_staff"])
        process.refresh_from_db()
    return Case(
        reverse("roadmaps:edition_start", args=[process.pk]),
        lambda: {"title": "Fortschreibung", "year": process.year + 1, "start_phase": "elaboration"},
    )


@refuses_controls("adoption.decision_forms.ConferenceForm")
def conference(ctx):
    version = ctx.objects["version"]["pk"]
    yesterday = _today() - timedelta(days=1)
    return Case(
        reverse("adoption:conference_edit"),
        lambda: {
            "version": version,
            "meeting_date": yesterday,
            "outcome": "recommended",
            "remarks": "Einstimmig",
        },
    )


@refuses_controls("adoption.decision_forms.ConsultationStepForm")
def consultation_steps(ctx):
    return Case(
        reverse("adoption:council_steps", args=[ctx.objects["council"]["pk"]]),
        lambda: {
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "10",
            "steps-0-organization_name": "Hauptausschuss",
            "steps-0-role": "preliminary",
            "steps-0-meeting_date": (_today() - timedelta(days=20)).isoformat(),
        },
        posted={"ConsultationStepForm.organization_name": "steps-0-organization_name"},
    )


@refuses_controls("adoption.decision_forms.CouncilDecisionForm")
def council_decision(ctx):
    return Case(
        reverse("adoption:council_decide", args=[ctx.objects["council"]["pk"]]),
        lambda: {
            "paper_reference": "DS 1/2027",
            "ris_url": "https://ris.example.org/1",
            "result": "adopted",
            "decided_on": (_today() - timedelta(days=1)).isoformat(),
            "votes_yes": "30",
            "votes_no": "4",
            "votes_abstain": "2",
            "resolution_text": "Beschlossen",
        },
    )


@refuses_controls("adoption.decision_forms.CouncilPaperForm")
def council_paper(ctx):
    return Case(
        reverse("adoption:council_paper_edit", args=[ctx.objects["council"]["pk"]]),
        lambda: {"paper_text": "# Vorlage\n\nText"},
    )


@refuses_controls("workshops.planning_forms.WorkshopForm")
def workshop(ctx):
    step = ctx.process.phases.first().steps.first().pk
    return Case(
        reverse("workshops:workshop_new"),
        lambda: {
            "step": step,
            "kind": "kickoff",
            "title": "Auftakt",
            "description": "Alle",
            "location": "Kreishaus",
            "online_link": "https://konferenz.example.org/a",
        },
    )


@refuses_controls("workshops.planning_forms.SessionForm")
def session(ctx):
    starts_at = (timezone.localtime() + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    return Case(
        reverse("workshops:session_new", args=[ctx.objects["workshop"]["pk"]]),
        lambda: {"starts_at": starts_at, "duration_minutes": 120, "tasks_until_next": "Lesen"},
    )


@refuses_controls("workshops.planning_forms.AgendaItemForm")
def agenda_item(ctx):
    return Case(
        reverse("workshops:agenda_item_new", args=[ctx.objects["session"]["pk"]]),
        lambda: {"title": "Pause", "duration_minutes": 10, "notes": "Kaffee"},
    )


@refuses_controls("workshops.planning_forms.EmailInviteForm")
def invitees(ctx):
    return Case(
        reverse("workshops:invitations", args=[ctx.objects["workshop"]["pk"]]),
        lambda: {"action": "email", "email-emails": "gast2@example.org\r\ngast3@example.org"},
        posted={"EmailInviteForm.emails": "email-emails"},
    )


@refuses_controls("workshops.planning_forms.ActorGroupInviteForm")
def actor_group_invitees(ctx):
    group = ActorGroup.objects.first().pk
    return Case(
        reverse("workshops:invitations", args=[ctx.objects["workshop"]["pk"]]),
        lambda: {"action": "group", "group-actor_group": group, "group-emails": "a@example.org"},
        posted={"ActorGroupInviteForm.emails": "group-emails"},
    )


@refuses_controls("workshops.minutes_forms.MinutesForm")
def minutes(ctx):
    return Case(
        reverse("workshops:minutes_edit", args=[ctx.objects["session"]["pk"]]),
        lambda: {"summary": "Gut", "decisions": "Weiter"},
    )


@refuses_controls("workshops.minutes_forms.PhotoForm")
def photo(ctx):
    return Case(
        reverse("workshops:minutes_photos", args=[ctx.objects["session"]["pk"]]),
        lambda: {
            "image": SimpleUploadedFile("f.jpg", _jpeg(), content_type="image/jpeg"),
            "caption": "Flipchart",
        },
    )


def _live(name, ctx, *args):
    return reverse(f"workshops:{name}", args=[ctx.objects["session"]["pk"], *args])


def _running(ctx, kind) -> Activity:
    from workshops import live_services

    session = WorkshopSession.objects.get(pk=ctx.objects["session"]["pk"])
    activity = live_services.activity_create(session=session, kind=kind, title=str(kind))
    return live_services.activity_start(activity=activity)


@refuses_controls("workshops.live_forms.ActivityForm")
def live_activity(ctx):
    return Case(
        _live("live_activity_add", ctx),
        lambda: {
            "kind": "ideas",
            "title": "Ideen",
            "target": "cards",
            "dots_per_participant": 5,
            "cap_per_item": 3,
        },
    )


@refuses_controls("workshops.live_forms.ClusterForm")
def live_cluster(ctx):
    return Case(_live("live_cluster_add", ctx), lambda: {"name": "Bildung"})


@refuses_controls("workshops.live_forms.CardEditForm")
def live_card_edit(ctx):
    card = ctx.objects["card"]["card_pk"]
    return Case(_live("live_card_edit", ctx, card), lambda: {"text": "Bürgerbus-App mit Ruf"})


@refuses_controls("workshops.live_forms.CardForm")
def live_card(ctx):
    activity = _running(ctx, Activity.Kind.IDEAS).pk
    return Case(
        _live("live_card_post", ctx),
        lambda: {"activity": activity, "text": "Radwege"},
        visit=_live("live_participate", ctx),
    )


@refuses_controls("workshops.live_forms.ItemForm")
def live_dot(ctx):
    activity = _running(ctx, Activity.Kind.DOT_VOTE).pk
    card = Card.objects.get().pk
    return Case(
        _live("live_dot", ctx),
        lambda: {"activity": activity, "place": f"card:{card}"},
        posted={"ItemForm.item": "place"},
        visit=_live("live_participate", ctx),
    )


@refuses_controls("workshops.live_forms.RatingForm")
def live_rating(ctx):
    activity = _running(ctx, Activity.Kind.RATING).pk
    card = Card.objects.get().pk
    return Case(
        _live("live_rating", ctx),
        lambda: {"activity": activity, "item": f"card:{card}", "benefit": 4, "effort": 2},
        visit=_live("live_participate", ctx),
    )


@refuses_controls("workshops.live_forms.JoinForm")
def live_join(ctx):
    session = WorkshopSession.objects.get(pk=ctx.objects["session"]["pk"])
    code = session.workshop.join_code
    return Case(
        reverse("workshops:live_join"),
        lambda: {"code": code, "display_name": "Gast Anna"},
        role="anonymous",
    )


CASES = [
    value
    for value in list(globals().values())
    if callable(value) and getattr(value, "forms", None) is not None
]


@dataclass
class Context:
    personas: dict
    objects: dict
    process: StrategyProcess
    reference: dict


def _client(personas, role) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(personas[role])
    return client


def _field_errors(response, posted_name: str) -> list[str]:
    """The errors the page shows for the posted field (forms and formsets of its context)."""
    from django.contrib.admin.helpers import AdminForm
    from django.forms import BaseForm, BaseFormSet

    errors = []
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            if isinstance(value, AdminForm):
                value = value.form
            forms = value.forms if isinstance(value, BaseFormSet) else [value]
            for form in forms:
                if isinstance(form, BaseForm):
                    for name, messages in form.errors.items():
                        if form.add_prefix(name) == posted_name:
                            errors += messages
    return errors


def _stored(character: str) -> bool:
    """Whether any text in the database holds ``character``."""
    return any(
        character in str(value)
        for rows in db_snapshot().values()
        for row in rows
        for value in row
        if isinstance(value, str | dict | list)
    )


def _all_errors(response) -> list:
    from django.forms import BaseForm

    return [
        value.errors
        for context in response.context or []
        for value in (context.flatten().values() if hasattr(context, "flatten") else [])
        if isinstance(value, BaseForm) and value.errors
    ]


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_control_characters_are_refused(personas, objects, process, reference, case):  # noqa: F811
    ctx = Context(personas, objects, process, reference)
    spec = case(ctx)
    client = _client(personas, spec.role)
    if spec.visit:
        assert client.get(spec.visit).status_code == 200
    checked = 0
    for form in case.forms:
        form_name = form.rsplit(".", 1)[1]
        for name, multiline in text_fields(form).items():
            posted = spec.posted.get(f"{form_name}.{name}", name)
            assert posted in spec.data(), f"The case {case.__name__} posts no {posted}."
            for label, control in CONTROL_VALUES.items():
                if multiline and label == "crlf":
                    continue
                data = spec.data()
                data[posted] = f"{data[posted]}{control}Bcc:x"
                before = db_snapshot()
                response = client.post(spec.url, data)
                assert response.status_code < 500, (posted, label, response.status_code)
                if f"{form_name}.{name}" in CLEANED and label != "nul":
                    assert response.status_code == 302
                    assert not _stored(control), (posted, label)
                    checked += 1
                    continue
                assert db_snapshot() == before, (posted, label)
                if label == "nul":
                    # No browser sends NUL: the whole post is refused (strategy.http).
                    assert response.status_code == 400, (posted, response.status_code)
                elif response.status_code == 200 and name in OWN_CHECKS:
                    assert _field_errors(response, posted), (posted, label)
                elif response.status_code == 200:
                    # Beside the field, or as the page's message (the card's own page).
                    expected = MULTI_LINE_MESSAGE if multiline else SINGLE_LINE_MESSAGE
                    assert expected in response.content.decode(), (posted, label)
                checked += 1
    # The same post without the characters is accepted: it was the characters.
    before = db_snapshot()
    response = client.post(spec.url, spec.data())
    assert response.status_code == 302, _all_errors(response)
    assert (db_snapshot() != before) is spec.stores
    assert checked


@pytest.mark.parametrize(
    "form",
    [
        "workshops.planning_forms.WorkshopForm",
        "workshops.live_forms.CardForm",
        "roadmaps.section_forms.SectionEditForm",
    ],
)
def test_multi_line_fields_keep_their_line_breaks(form):
    """The rule is the widget's: a textarea is multi-line, a text input a single line."""
    fields = text_fields(form)
    assert any(fields.values()) or form.endswith("CardForm")
    for name, multiline in fields.items():
        from strategy.text_input import text_error

        assert (text_error("a\r\nb", multiline=multiline) is None) is multiline, name
        assert text_error("a\tb", multiline=multiline) is None
        assert text_error("a\x1bb", multiline=multiline) is not None


def test_a_line_break_in_a_workshop_title_never_reaches_an_invitation(client, personas, process):
    """The probe's case: CR/LF in the title of a workshop, then invitations sent."""
    from workshops.models import Workshop, WorkshopInvitation

    client.force_login(personas["district_staff"])
    step = process.phases.first().steps.first().pk
    data = {"step": step, "kind": "kickoff", "title": "Auftakt\r\nBcc: alle@example.org"}
    response = client.post(reverse("workshops:workshop_new"), data)
    assert response.status_code == 200
    assert SINGLE_LINE_MESSAGE in response.content.decode()
    assert not Workshop.objects.exists() and not WorkshopInvitation.objects.exists()
