"""The process spine: phases and steps from the council paper, moving forward and back."""

from datetime import date

import pytest
from django.urls import reverse

from strategy.models import Phase, Step, StepTransition, StrategyProcess
from strategy.reference import reference_data
from strategy.services import (
    ProcessError,
    process_advance,
    process_move_back,
    reference_data_load,
    step_schedule,
)


def _statuses(process):
    return [
        s.status
        for s in Step.objects.filter(phase__process=process).order_by("phase__position", "position")
    ]


def test_process_has_the_phases_and_steps_of_the_council_paper(process):
    expected = reference_data()["process"]["phases"]
    phases = list(process.phases.order_by("position"))
    assert [p.name for p in phases] == [p["name"] for p in expected]
    assert [p.key for p in phases] == ["initialisation", "elaboration", "adoption"]
    for phase, phase_def in zip(phases, expected, strict=True):
        assert [s.title for s in phase.steps.order_by("position")] == phase_def["steps"]
    assert _statuses(process) == [Step.Status.PLANNED] * 8
    assert process.status == StrategyProcess.Status.PREPARATION


def test_advance_walks_through_every_step_and_records_who_and_when(process, personas):
    staff = personas["district_staff"]
    transition = process_advance(process=process, by=staff, note="Los geht's")
    assert _statuses(process)[0] == Step.Status.IN_PROGRESS
    assert transition.from_step is None and transition.to_step.short_title == "Auftaktworkshop(s)"
    assert transition.by == staff and transition.note == "Los geht's" and transition.at
    for _ in range(8):
        process_advance(process=process, by=staff)
    process.refresh_from_db()
    assert _statuses(process) == [Step.Status.DONE] * 8
    assert process.status == StrategyProcess.Status.COMPLETED
    assert StepTransition.objects.filter(process=process, direction="forward").count() == 9
    with pytest.raises(ProcessError):
        process_advance(process=process, by=staff)
    assert StepTransition.objects.filter(process=process).count() == 9


def test_moving_back_is_possible_and_recorded(process, personas):
    staff = personas["consultant"]
    for _ in range(3):
        process_advance(process=process, by=staff)
    assert _statuses(process)[:3] == ["done", "done", "in_progress"]
    back = process_move_back(process=process, by=staff, note="Bestandsaufnahme unvollständig")
    assert back.direction == StepTransition.Direction.BACKWARD
    assert back.from_step.short_title == "Werte und Leitbild"
    assert back.to_step.short_title == "Bestandsaufnahme"
    assert _statuses(process)[:3] == ["done", "in_progress", "planned"]


def test_moving_back_from_completed_reopens_last_step_and_before_start_is_refused(
    process, personas
):
    staff = personas["district_staff"]
    with pytest.raises(ProcessError):
        process_move_back(process=process, by=staff)
    for _ in range(9):
        process_advance(process=process, by=staff)
    process_move_back(process=process, by=staff)
    process.refresh_from_db()
    assert _statuses(process)[-1] == "in_progress"
    assert process.status == StrategyProcess.Status.RUNNING


def test_phase_status_is_derived_from_its_steps(process, personas):
    for _ in range(3):
        process_advance(process=process, by=personas["district_staff"])
    phases = {p.key: p for p in Phase.objects.filter(process=process).prefetch_related("steps")}
    status = {key: p.status_from(list(p.steps.all())) for key, p in phases.items()}
    assert status == {"initialisation": "done", "elaboration": "in_progress", "adoption": "planned"}


def test_archived_edition_cannot_move(process, personas):
    StrategyProcess.objects.filter(pk=process.pk).update(status=StrategyProcess.Status.ARCHIVED)
    with pytest.raises(ProcessError):
        process_advance(process=process, by=personas["district_staff"])
    assert not StepTransition.objects.exists()


def test_schedule_refuses_end_before_start_and_changes_nothing(process):
    step = Step.objects.filter(phase__process=process).first()
    with pytest.raises(ProcessError):
        step_schedule(step=step, planned_start=date(2027, 3, 1), planned_end=date(2027, 2, 1))
    step.refresh_from_db()
    assert step.planned_start is None and step.planned_end is None


def test_reference_data_load_is_idempotent_and_keeps_edits(reference):
    from strategy.models import FundingProgramme, Municipality, ThemeField

    field = ThemeField.objects.get(name="Mobilität")
    field.description = "Vom Kreis ergänzt"
    field.save()
    reference_data_load()
    assert Municipality.objects.count() == 12
    assert Municipality.objects.get(name="Kreis Coesfeld").ags == "05558000"
    assert Municipality.objects.get(name="Dülmen").ags == "05558016"
    assert ThemeField.objects.count() == 13
    assert FundingProgramme.objects.count() == 15
    assert ThemeField.objects.get(name="Mobilität").description == "Vom Kreis ergänzt"


# --- through the web pages ---------------------------------------------------------------------


def test_staff_moves_process_forward_with_note_in_the_browser_form(client, process, personas):
    client.force_login(personas["district_staff"])
    response = client.post(
        reverse("strategy:process_advance", args=[process.pk]), {"note": "Auftakt am 3. März"}
    )
    assert response.status_code == 302
    transition = StepTransition.objects.get()
    assert transition.by == personas["district_staff"] and transition.note == "Auftakt am 3. März"
    page = client.get(reverse("strategy:process_detail", args=[process.pk]))
    assert "Auftakt am 3. März" in page.content.decode()


def test_move_with_too_long_note_is_refused(client, process, personas):
    client.force_login(personas["district_staff"])
    client.post(reverse("strategy:process_advance", args=[process.pk]), {"note": "x" * 2001})
    assert not StepTransition.objects.exists()
    assert _statuses(process)[0] == "planned"


def test_step_dates_form_shows_german_error_and_saves_nothing(client, process, personas):
    client.force_login(personas["district_staff"])
    step = Step.objects.filter(phase__process=process).first()
    url = reverse("strategy:step_schedule", args=[process.pk, step.pk])
    response = client.post(url, {"planned_start": "2027-03-01", "planned_end": "2027-02-01"})
    assert response.status_code == 200
    assert (
        "Das geplante Ende darf nicht vor dem geplanten Beginn liegen." in response.content.decode()
    )
    step.refresh_from_db()
    assert step.planned_start is None
    response = client.post(url, {"planned_start": "2027-03-01", "planned_end": "2027-04-30"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.planned_end == date(2027, 4, 30)


def test_step_of_another_process_is_not_found(client, process, personas, reference):
    from strategy.services import process_create

    other = process_create(title="Andere Ausgabe", year=2030)
    step = Step.objects.filter(phase__process=other).first()
    client.force_login(personas["district_staff"])
    response = client.get(reverse("strategy:step_schedule", args=[process.pk, step.pk]))
    assert response.status_code == 404


def test_new_edition_form_creates_process_with_steps(client, personas, reference):
    client.force_login(personas["district_staff"])
    response = client.post(
        reverse("strategy:process_new"), {"title": "Fortschreibung", "year": 2029}
    )
    process = StrategyProcess.objects.get(title="Fortschreibung")
    assert response.status_code == 302
    assert Step.objects.filter(phase__process=process).count() == 8
    response = client.post(reverse("strategy:process_new"), {"title": "Zu alt", "year": 1990})
    assert response.status_code == 200
    assert not StrategyProcess.objects.filter(title="Zu alt").exists()
