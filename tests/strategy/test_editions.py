"""Updating the strategy (Fortschreibung): a new edition from an adopted one, the old edition
read-only, and the comparison of two editions."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from roadmaps import editions as roadmaps_editions
from roadmaps.edition_diff import ADDED, CHANGED, REMOVED, edition_compare
from roadmaps.editions import EditionError, edition_start
from roadmaps.models import (
    FieldPlan,
    Goal,
    Measure,
    Measurement,
    Milestone,
    SectionComment,
    SectionVersion,
    StrategyVersion,
    TargetValue,
    TextSection,
)
from roadmaps.section_services import section_create, section_update
from strategy.audit import AuditAction
from strategy.editions import edition_is_adopted, edition_is_read_only, process_of
from strategy.models import AuditEvent, Step, StepTransition, StrategyProcess, ThemeField
from strategy.services import process_advance
from tests.workshops import english, make_session, make_workshop
from workshops.models import Workshop, WorkshopSession

READ_ONLY_EN = "This edition is archived and can no longer be changed."


def _complete(process, user):
    while process.status != StrategyProcess.Status.COMPLETED:
        process_advance(process=process, by=user)
        process.refresh_from_db()
    return process


def _content(process, reference, user) -> dict:
    """A rich edition: texts with history and a comment, two field plans with strategic and
    operative goals, target values with measurements, measures with milestones and links."""
    fields = list(ThemeField.objects.order_by("position")[:2])
    vision = section_create(
        process=process, kind="vision", title="Leitbild", body="Der Kreis ist digital.", user=user
    )
    section_update(
        section=vision,
        loaded_version=1,
        title="Leitbild",
        body="Der Kreis ist digital.\n\nUnd vernetzt.",
        user=user,
    )
    principle = section_create(
        process=process, kind="principle", title="Offen", body="Offene Standards.", user=user
    )
    SectionComment.objects.create(section=vision, author=user, text="Gefällt mir.")
    plan = FieldPlan.objects.create(
        process=process, theme_field=fields[0], tier="I", rank=1, vision="Schnelles Netz."
    )
    plan2 = FieldPlan.objects.create(process=process, theme_field=fields[1], tier="II", rank=2)
    strategic = Goal.objects.create(field_plan=plan, kind="strategic", title="Glasfaser")
    operative = Goal.objects.create(
        field_plan=plan, kind="operative", parent=strategic, title="Schulen anbinden"
    )
    other = Goal.objects.create(field_plan=plan2, kind="strategic", title="Bürgerbus")
    target = TargetValue.objects.create(
        goal=strategic,
        indicator="Anschlussquote",
        unit="%",
        baseline_value=40,
        baseline_year=2024,
        target_value=90,
        target_year=2030,
    )
    target2 = TargetValue.objects.create(
        goal=other,
        indicator="Fahrgäste",
        unit="Personen",
        baseline_value=100,
        baseline_year=2024,
        target_value=500,
        target_year=2030,
    )
    Measurement.objects.create(target_value=target, measured_on=date(2025, 1, 1), value=50)
    Measurement.objects.create(target_value=target, measured_on=date(2026, 1, 1), value=61)
    m1 = Measure.objects.create(
        process=process,
        number="M-01",
        title="Glasfaserausbau",
        investment_cost=Decimal("1000000.00"),
        start_date=date(2027, 1, 1),
        end_date=date(2029, 12, 31),
        status="running",
    )
    m2 = Measure.objects.create(process=process, number="M-02", title="Schul-WLAN")
    m1.theme_fields.set([fields[0]])
    m2.theme_fields.set(fields)
    m1.goals.set([strategic, operative])
    m1.target_values.set([target])
    m2.target_values.set([target2])
    m1.municipalities.set([reference["Dülmen"], reference["Nottuln"]])
    m2.depends_on.set([m1])
    Milestone.objects.create(measure=m1, title="Ausschreibung", due_on=date(2027, 6, 1))
    Milestone.objects.create(measure=m1, title="Bau", due_on=date(2028, 6, 1), done=True)
    StrategyVersion.objects.create(
        process=process, number=1, label="Entwurf v1", content={"chapters": []}
    )
    workshop = make_workshop(process)
    session = make_session(workshop, items=[("Begrüßung", 10)])
    return {
        "vision": vision,
        "principle": principle,
        "plan": plan,
        "strategic": strategic,
        "operative": operative,
        "target": target,
        "m1": m1,
        "m2": m2,
        "workshop": workshop,
        "session": session,
    }


@pytest.fixture
def staff(personas):
    return personas["district_staff"]


@pytest.fixture
def source(process, reference, staff):
    content = _content(process, reference, staff)
    _complete(process, staff)
    return process, content


def _start(source_process, user, **overrides):
    values = {"title": "Digitalstrategie 2031", "year": 2031, "start_phase": "elaboration"}
    return edition_start(source=source_process, user=user, **(values | overrides))


def _state(process) -> dict:
    """Everything of an edition that must not change once it is read-only."""
    return {
        "process": list(StrategyProcess.objects.filter(pk=process.pk).values()),
        "steps": list(Step.objects.filter(phase__process=process).order_by("pk").values()),
        "transitions": StepTransition.objects.filter(process=process).count(),
        "sections": list(TextSection.objects.filter(process=process).order_by("pk").values()),
        "versions": SectionVersion.objects.filter(section__process=process).count(),
        "comments": SectionComment.objects.filter(section__process=process).count(),
        "plans": list(FieldPlan.objects.filter(process=process).order_by("pk").values()),
        "goals": list(Goal.objects.filter(field_plan__process=process).order_by("pk").values()),
        "targets": list(
            TargetValue.objects.filter(goal__field_plan__process=process).order_by("pk").values()
        ),
        "measurements": list(
            Measurement.objects.filter(target_value__goal__field_plan__process=process)
            .order_by("pk")
            .values()
        ),
        "measures": list(Measure.objects.filter(process=process).order_by("pk").values()),
        "milestones": list(
            Milestone.objects.filter(measure__process=process).order_by("pk").values()
        ),
        "dependencies": list(
            Measure.depends_on.through.objects.filter(from_measure__process=process)
            .order_by("pk")
            .values_list("from_measure_id", "to_measure_id")
        ),
        "workshops": list(Workshop.objects.filter(process=process).order_by("pk").values()),
        "sessions": list(
            WorkshopSession.objects.filter(workshop__process=process).order_by("pk").values()
        ),
        "frozen": StrategyVersion.objects.filter(process=process).count(),
    }


# --- the copy --------------------------------------------------------------------------------


def test_start_copies_all_content_with_links_to_the_copies(source, staff):
    old, content = source
    new = _start(old, staff)

    assert new.previous_edition == old and new.status == StrategyProcess.Status.RUNNING
    sections = {s.kind: s for s in TextSection.objects.filter(process=new)}
    assert sections["vision"].body == "Der Kreis ist digital.\n\nUnd vernetzt."
    assert sections["vision"].version == 1 and sections["vision"].status == "draft"
    assert sections["principle"].title == "Offen"
    # The current text is the first version of the new edition; history stays in the old.
    assert list(sections["vision"].versions.values_list("number", "body")) == [
        (1, "Der Kreis ist digital.\n\nUnd vernetzt.")
    ]
    assert not SectionComment.objects.filter(section__process=new).exists()

    plans = {p.theme_field_id: p for p in FieldPlan.objects.filter(process=new)}
    assert len(plans) == 2
    plan = plans[content["plan"].theme_field_id]
    assert (plan.tier, plan.rank, plan.vision) == ("I", 1, "Schnelles Netz.")
    goals = {g.title: g for g in Goal.objects.filter(field_plan__process=new)}
    assert set(goals) == {"Glasfaser", "Schulen anbinden", "Bürgerbus"}
    assert goals["Schulen anbinden"].parent == goals["Glasfaser"]
    assert goals["Glasfaser"].field_plan == plan
    targets = {t.indicator: t for t in TargetValue.objects.filter(goal__field_plan__process=new)}
    assert targets["Anschlussquote"].goal == goals["Glasfaser"]
    assert targets["Anschlussquote"].baseline_value == 40
    assert targets["Anschlussquote"].target_value == 90
    # Only the latest measurement is carried over; the full series stays with the old edition.
    assert list(targets["Anschlussquote"].measurements.values_list("measured_on", "value")) == [
        (date(2026, 1, 1), Decimal("61.00"))
    ]
    assert not targets["Fahrgäste"].measurements.exists()

    measures = {m.number: m for m in Measure.objects.filter(process=new)}
    m1, m2 = measures["M-01"], measures["M-02"]
    assert m1.pk != content["m1"].pk
    assert (m1.title, m1.status, m1.investment_cost) == ("Glasfaserausbau", "running", 1000000)
    assert set(m1.goals.all()) == {goals["Glasfaser"], goals["Schulen anbinden"]}
    assert set(m1.target_values.all()) == {targets["Anschlussquote"]}
    assert set(m2.target_values.all()) == {targets["Fahrgäste"]}
    assert list(m2.depends_on.all()) == [m1]
    assert set(m1.municipalities.values_list("name", flat=True)) == {"Dülmen", "Nottuln"}
    assert m2.theme_fields.count() == 2
    assert list(m1.milestones.values_list("title", "done")) == [
        ("Ausschreibung", False),
        ("Bau", True),
    ]
    # Nothing of the new edition points into the old one.
    assert not Goal.objects.filter(field_plan__process=new, parent__field_plan__process=old)
    assert not Measure.goals.through.objects.filter(
        measure__process=new, goal__field_plan__process=old
    )
    assert not Measure.depends_on.through.objects.filter(
        from_measure__process=new, to_measure__process=old
    )
    # Workshops and frozen versions are not copied.
    assert not Workshop.objects.filter(process=new).exists()
    assert not StrategyVersion.objects.filter(process=new).exists()


def test_the_old_edition_is_archived_and_otherwise_unchanged(source, staff):
    old, _content = source
    before = _state(old)
    _start(old, staff)
    after = _state(old)
    assert after["process"][0]["status"] == StrategyProcess.Status.ARCHIVED
    before["process"][0]["status"] = StrategyProcess.Status.ARCHIVED
    assert after == before
    old.refresh_from_db()
    assert edition_is_read_only(old) and not edition_is_adopted(old)


@pytest.mark.parametrize(
    ("start_phase", "done", "current"),
    [("initialisation", 0, "Auftaktworkshop(s)"), ("elaboration", 1, "Bestandsaufnahme")],
)
def test_the_chosen_phase_is_current(source, staff, start_phase, done, current):
    old, _content = source
    new = _start(old, staff, start_phase=start_phase)
    steps = list(Step.objects.filter(phase__process=new).order_by("phase__position", "position"))
    assert [s.status for s in steps[:done]] == ["done"] * done
    assert steps[done].status == "in_progress" and steps[done].short_title == current
    assert all(s.status == "planned" for s in steps[done + 1 :])
    transition = StepTransition.objects.get(process=new)
    assert transition.to_step == steps[done] and transition.by == staff


def test_starting_is_recorded_in_the_audit_log(source, staff):
    old, _content = source
    new = _start(old, staff)
    event = AuditEvent.objects.get(action=AuditAction.EDITION_START)
    assert event.actor == staff and event.target_id == str(new.pk)
    assert event.details["source"] == old.pk
    assert event.details["copied"] == {
        "sections": 2,
        "field_plans": 2,
        "goals": 3,
        "target_values": 2,
        "measures": 2,
    }


# --- refusals --------------------------------------------------------------------------------


def _nothing_changed(old, before):
    assert _state(old) == before
    assert StrategyProcess.objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.EDITION_START).exists()


def test_an_edition_that_is_not_adopted_cannot_be_updated(process, reference, staff):
    _content(process, reference, staff)
    process_advance(process=process, by=staff)
    before = _state(process)
    with translation.override("en"), pytest.raises(EditionError, match="Only an adopted edition"):
        _start(process, staff)
    _nothing_changed(process, before)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "Please enter a title."),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"start_phase": "adoption"}, "start_phase", "initialisation or in the elaboration"),
        ({"start_phase": "irgendwas"}, "start_phase", "initialisation or in the elaboration"),
        ({"year": 2020}, "year", "must not be before"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(source, staff, overrides, field, message):
    old, _content = source
    before = _state(old)
    with translation.override("en"), pytest.raises(EditionError, match=message) as error:
        _start(old, staff, **overrides)
    assert error.value.field == field
    _nothing_changed(old, before)


def test_a_second_update_of_the_same_edition_is_refused(source, staff):
    old, _content = source
    new = _start(old, staff)
    # Even if the adoption is later decided by council decisions instead of the status.
    StrategyProcess.objects.filter(pk=old.pk).update(status=StrategyProcess.Status.COMPLETED)
    old.refresh_from_db()
    with translation.override("en"), pytest.raises(EditionError, match="already been started"):
        _start(old, staff, title="Noch eine")
    assert list(old.later_editions.all()) == [new]


def test_a_failing_copy_leaves_no_trace(source, staff, monkeypatch):
    old, _content = source
    before = _state(old)

    def broken(**kwargs):
        raise RuntimeError("Platte voll")

    monkeypatch.setattr(roadmaps_editions, "edition_content_copy", broken)
    with pytest.raises(RuntimeError):
        _start(old, staff)
    _nothing_changed(old, before)


# --- read-only old edition ---------------------------------------------------------------------


def _write_requests(content, old) -> list[tuple[str, list, dict]]:
    return [
        (
            "roadmaps:section_edit",
            [content["vision"].pk],
            {"title": "X", "body": "Y", "version": 1},
        ),
        ("roadmaps:section_status", [content["vision"].pk], {"status": "agreed"}),
        ("roadmaps:section_comment", [content["vision"].pk], {"text": "Noch ein Kommentar"}),
        ("roadmaps:section_move", [content["principle"].pk], {"direction": "up"}),
        ("roadmaps:field_vision", [content["plan"].pk], {"vision": "Anders"}),
        ("roadmaps:goal_new", [content["plan"].pk], {"kind": "strategic", "title": "Neu"}),
        ("roadmaps:goal_edit", [content["strategic"].pk], {"kind": "strategic", "title": "Z"}),
        ("roadmaps:goal_delete", [content["operative"].pk], {}),
        ("roadmaps:target_new", [content["strategic"].pk], {"indicator": "Neu"}),
        ("roadmaps:target_edit", [content["target"].pk], {"indicator": "Anders"}),
        ("roadmaps:target_delete", [content["target"].pk], {}),
        ("roadmaps:measurement_new", [content["target"].pk], {"value": "70"}),
        ("roadmaps:measure_edit", [content["m1"].pk], {"number": "M-01", "title": "Anders"}),
        ("roadmaps:measure_delete", [content["m2"].pk], {}),
        ("strategy:process_advance", [old.pk], {}),
        ("strategy:process_back", [old.pk], {}),
        ("strategy:step_schedule", [old.pk, Step.objects.filter(phase__process=old)[0].pk], {}),
        ("workshops:workshop_edit", [content["workshop"].pk], {"title": "Anders"}),
        ("workshops:session_new", [content["workshop"].pk], {"duration_minutes": 60}),
        ("workshops:minutes_edit", [content["session"].pk], {"summary": "Anders"}),
    ]


@pytest.mark.parametrize("role", ["district_staff", "consultant", "admin"])
def test_every_write_to_the_old_edition_is_refused(client, personas, source, role):
    old, content = source
    _start(old, personas["district_staff"])
    old.refresh_from_db()
    before = _state(old)
    english(client).force_login(personas[role])
    for name, args, data in _write_requests(content, old):
        response = client.post(reverse(name, args=args), data)
        assert response.status_code == 403, name
        assert READ_ONLY_EN in response.content.decode(), name
    assert _state(old) == before


def test_the_read_only_message_is_german(client, personas, source):
    old, content = source
    _start(old, personas["district_staff"])
    client.force_login(personas["district_staff"])
    response = client.get(reverse("roadmaps:goal_edit", args=[content["strategic"].pk]))
    assert response.status_code == 403
    with translation.override("de"):
        assert translation.gettext(READ_ONLY_EN) in response.content.decode()


def test_comments_on_the_old_edition_are_refused_for_representatives(client, personas, source):
    old, content = source
    _start(old, personas["district_staff"])
    client.force_login(personas["rep_duelmen"])
    url = reverse("roadmaps:section_comment", args=[content["vision"].pk])
    assert client.post(url, {"text": "Zu spät"}).status_code == 403
    assert SectionComment.objects.filter(section__process=old).count() == 1


def test_the_new_edition_stays_writable(client, personas, source):
    old, content = source
    new = _start(old, personas["district_staff"])
    old.refresh_from_db()
    goal = Goal.objects.filter(field_plan__process=new, title="Glasfaser").get()
    user = personas["consultant"]
    assert user.has_perm("roadmaps.edit_fields", goal)
    assert user.has_perm("strategy.move_process", new)
    assert not user.has_perm("strategy.move_process", old)
    client.force_login(user)
    response = client.post(
        reverse("roadmaps:goal_edit", args=[goal.pk]),
        {"kind": "strategic", "title": "Glasfaser für alle", "description": "", "position": 0},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Glasfaser für alle"
    assert Goal.objects.get(pk=content["strategic"].pk).title == "Glasfaser"


def test_process_of_finds_the_edition_of_any_content(source):
    old, content = source
    agenda_item = content["session"].agenda.get()
    measurement = Measurement.objects.filter(target_value=content["target"]).first()
    milestone = content["m1"].milestones.first()
    for obj in (
        old,
        content["vision"],
        content["operative"],
        content["target"],
        measurement,
        milestone,
        content["session"],
        agenda_item,
    ):
        assert process_of(obj) == old, obj
    assert process_of(None) is None
    assert process_of(ThemeField.objects.first()) is None


# --- views -------------------------------------------------------------------------------------


def test_start_page_creates_the_edition(client, personas, source):
    old, _content = source
    client.force_login(personas["consultant"])
    url = reverse("roadmaps:edition_start", args=[old.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'id="edition-start-form"' in page.content.decode()
    response = client.post(
        url, {"title": "Digitalstrategie 2031", "year": 2031, "start_phase": "initialisation"}
    )
    new = StrategyProcess.objects.get(previous_edition=old)
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert new.title == "Digitalstrategie 2031" and new.year == 2031
    assert AuditEvent.objects.filter(action=AuditAction.EDITION_START).count() == 1


def test_start_page_refuses_an_edition_that_is_not_adopted(client, personas, process):
    english(client).force_login(personas["district_staff"])
    url = reverse("roadmaps:edition_start", args=[process.pk])
    page = client.get(url).content.decode()
    assert "Only an adopted edition can be updated." in page
    assert 'id="edition-start-form"' not in page
    response = client.post(url, {"title": "Neu", "year": 2031, "start_phase": "elaboration"})
    assert response.status_code == 200
    assert "Only an adopted edition can be updated." in response.content.decode()
    assert StrategyProcess.objects.count() == 1


def test_start_page_refuses_a_second_update(client, personas, source):
    old, _content = source
    _start(old, personas["district_staff"])
    english(client).force_login(personas["district_staff"])
    response = client.post(
        reverse("roadmaps:edition_start", args=[old.pk]),
        {"title": "Noch eine", "year": 2032, "start_phase": "elaboration"},
    )
    assert response.status_code == 200
    assert "A new edition has already been started" in response.content.decode()
    assert StrategyProcess.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "year": 2031, "start_phase": "elaboration"}, "This field is required."),
        ({"title": "Neu", "year": 2020, "start_phase": "elaboration"}, "Please enter a year"),
        ({"title": "Neu", "year": "zwei", "start_phase": "elaboration"}, "Enter a whole number."),
        ({"title": "Neu", "year": 2031, "start_phase": "adoption"}, "Select a valid choice."),
    ],
)
def test_start_page_explains_bad_input(client, personas, source, data, message):
    old, _content = source
    before = _state(old)
    english(client).force_login(personas["district_staff"])
    response = client.post(reverse("roadmaps:edition_start", args=[old.pk]), data)
    assert response.status_code == 200 and message in response.content.decode()
    _nothing_changed(old, before)


@pytest.mark.parametrize("role", ["rep_duelmen", "working_group", "councillor"])
def test_only_those_who_run_the_process_may_start_an_update(client, personas, source, role):
    old, _content = source
    client.force_login(personas[role])
    response = client.post(
        reverse("roadmaps:edition_start", args=[old.pk]),
        {"title": "Neu", "year": 2031, "start_phase": "elaboration"},
    )
    assert response.status_code == 403 and StrategyProcess.objects.count() == 1


def test_process_page_offers_the_update_to_staff_only(client, personas, source):
    old, _content = source
    url = reverse("strategy:process_detail", args=[old.pk])
    client.force_login(personas["district_staff"])
    assert 'id="edition-start-link"' in client.get(url).content.decode()
    client.force_login(personas["councillor"])
    assert 'id="edition-start-link"' not in client.get(url).content.decode()
    new = _start(old, personas["district_staff"])
    client.force_login(personas["district_staff"])
    page = client.get(url).content.decode()
    assert 'id="edition-start-link"' not in page and new.get_absolute_url() in page
    compare = reverse("roadmaps:edition_compare") + f"?old={old.pk}&amp;new={new.pk}"
    assert compare in page
    assert compare in client.get(new.get_absolute_url()).content.decode()


# --- comparison --------------------------------------------------------------------------------


def _change_new_edition(new):
    vision = TextSection.objects.get(process=new, kind="vision")
    section_update(
        section=vision,
        loaded_version=1,
        title="Leitbild",
        body="Der Kreis ist digital.\n\nUnd klimaneutral.",
        user=None,
    )
    TextSection.objects.filter(process=new, kind="principle").delete()
    target = TargetValue.objects.get(goal__field_plan__process=new, indicator="Anschlussquote")
    target.target_value = 95
    target.save()
    plan = FieldPlan.objects.filter(process=new).order_by("rank").first()
    Goal.objects.create(field_plan=plan, kind="strategic", title="Smarte Verwaltung")
    Measure.objects.filter(process=new, number="M-02").delete()
    Measure.objects.filter(process=new, number="M-01").update(status="done")


def test_comparison_lists_added_removed_and_changed(source, staff):
    old, _content = source
    new = _start(old, staff)
    _change_new_edition(new)
    with translation.override("en"):
        comparison = edition_compare(old=old, new=new)
    sections = {s.label: s for s in comparison.sections}
    assert sections["Vision (Leitbild): Leitbild"].kind == CHANGED
    assert sections["Vision (Leitbild): Leitbild"].text.added_words == 1
    assert sections["Guiding principle (Leitsatz): Offen"].kind == REMOVED
    goals = {g.label: g for g in comparison.goals}
    assert goals["Smarte Verwaltung"].kind == ADDED
    assert list(goals) == ["Smarte Verwaltung"]
    (target,) = comparison.target_values
    assert target.kind == CHANGED and target.label == "Anschlussquote"
    assert [(c.label, c.old, c.new) for c in target.changes] == [("target value", "90.00", "95.00")]
    measures = {m.label: m for m in comparison.measures}
    assert measures["M-02 Schul-WLAN"].kind == REMOVED
    changed = measures["M-01 Glasfaserausbau"]
    assert changed.kind == CHANGED
    assert [(c.label, c.old, c.new) for c in changed.changes] == [("status", "Running", "Done")]
    assert comparison.field_plans == []


def test_a_fresh_update_shows_no_differences(source, staff):
    old, _content = source
    new = _start(old, staff)
    comparison = edition_compare(old=old, new=new)
    assert not comparison.has_differences


def test_comparison_page_is_readable(client, personas, source):
    old, _content = source
    new = _start(old, personas["district_staff"])
    _change_new_edition(new)
    english(client).force_login(personas["councillor"])
    url = reverse("roadmaps:edition_compare") + f"?old={old.pk}&new={new.pk}"
    page = client.get(url).content.decode()
    assert "Smarte Verwaltung" in page and "M-02 Schul-WLAN" in page
    assert "<del" in page and "<ins" in page and "<caption" in page
    assert 'id="diff-targets"' in page and "95.00" in page
    # Without a choice the newest update is compared with its previous edition.
    assert "Smarte Verwaltung" in client.get(reverse("roadmaps:edition_compare")).content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?old={old}&new={old}", "Please choose two different editions."),
        ("?old=99999&new={new}", "Please choose an existing edition."),
        ("?old=abc&new={new}", "Please choose an existing edition."),
        ("?old={old}", "This field is required."),
    ],
)
def test_comparison_explains_bad_choices(client, personas, source, query, message):
    old, _content = source
    new = _start(old, personas["district_staff"])
    english(client).force_login(personas["councillor"])
    url = reverse("roadmaps:edition_compare") + query.format(old=old.pk, new=new.pk)
    response = client.get(url)
    assert response.status_code == 200 and message in response.content.decode()
    assert 'id="comparison-summary"' not in response.content.decode()


def _more_content(process, count, start=0):
    plan = FieldPlan.objects.filter(process=process).first()
    for i in range(start, start + count):
        goal = Goal.objects.create(field_plan=plan, kind="strategic", title=f"Ziel {i}")
        TargetValue.objects.create(
            goal=goal,
            indicator=f"Kennzahl {i}",
            unit="%",
            baseline_value=i,
            baseline_year=2024,
            target_value=i + 10,
            target_year=2030,
        )
        measure = Measure.objects.create(process=process, number=f"N-{i:03d}", title=f"M {i}")
        measure.theme_fields.set([plan.theme_field])
        measure.goals.set([goal])
        Milestone.objects.create(measure=measure, title="Start", due_on=date(2028, 1, 1))
        TextSection.objects.create(process=process, kind="chapter", title=f"Kapitel {i}", body="x")


def test_comparison_needs_a_fixed_number_of_queries(client, personas, source):
    old, _content = source
    new = _start(old, personas["district_staff"])
    client.force_login(personas["councillor"])
    url = reverse("roadmaps:edition_compare") + f"?old={old.pk}&new={new.pk}"
    _more_content(new, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _more_content(new, 40, start=2)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    # Session, user and menu, two for the form, and at most a dozen per edition.
    assert len(small) == len(large) <= 32


def test_copy_needs_a_fixed_number_of_queries(source, staff, reference):
    old, _content = source
    with CaptureQueriesContext(connection) as small:
        first = _start(old, staff)
    _more_content(first, 30)
    _complete(first, staff)
    with CaptureQueriesContext(connection) as large:
        _start(first, staff, title="Digitalstrategie 2035", year=2035)
    assert len(small) == len(large)
