"""Writes of the strategy spine. Each service runs in a transaction and raises
``ProcessError`` with a translatable message when the change is not possible."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import AuditAction, audit_record
from .models import (
    ActorGroup,
    FundingProgramme,
    Municipality,
    Phase,
    Step,
    StepTransition,
    StrategyProcess,
    ThemeField,
)
from .reference import process_definition, reference_data

DISTRICT_AGS_SUFFIX = "000"


class ProcessError(Exception):
    """A change to the process that is not allowed; the message is shown to the user."""


@transaction.atomic
def reference_data_load() -> dict[str, int]:
    """Create or update municipalities, theme fields, actor groups and funding programmes
    from the shipped reference data. Idempotent; edits made in the portal to descriptions are
    kept. Returns how many rows of each kind exist afterwards."""
    data = reference_data()
    district = data["district"]
    Municipality.objects.update_or_create(
        ags=district["kreisschluessel"] + DISTRICT_AGS_SUFFIX,
        defaults={
            "name": district["name"],
            "kind": Municipality.Kind.DISTRICT,
            "population": district["population_approx"],
            "population_year": district["population_year"],
        },
    )
    for item in data["municipalities"]:
        Municipality.objects.update_or_create(
            ags=item["ags"],
            defaults={
                "name": item["name"],
                "kind": item["kind"],
                "population": item["population_approx"],
                "population_year": item["population_year"],
            },
        )
    for position, item in enumerate(data["theme_fields"]["items"], start=1):
        ThemeField.objects.get_or_create(
            name=item["name"],
            defaults={"in_council_paper": item["in_paper"], "position": position},
        )
    for name in data["actor_groups"]:
        ActorGroup.objects.get_or_create(name=name)
    for item in data["funding_programmes"]["items"]:
        FundingProgramme.objects.update_or_create(
            name=item["name"], defaults={"level": item["level"], "verified": item["checked"]}
        )
    return {
        "municipalities": Municipality.objects.count(),
        "theme_fields": ThemeField.objects.count(),
        "actor_groups": ActorGroup.objects.count(),
        "funding_programmes": FundingProgramme.objects.count(),
    }


@transaction.atomic
def process_create(
    *, title: str, year: int, description: str = "", previous_edition=None
) -> StrategyProcess:
    """Create an edition with the three phases and the steps of the council paper."""
    process = StrategyProcess.objects.create(
        title=title, year=year, description=description, previous_edition=previous_edition
    )
    for phase_position, phase_def in enumerate(process_definition(), start=1):
        phase = Phase.objects.create(
            process=process, key=phase_def["key"], name=phase_def["name"], position=phase_position
        )
        Step.objects.bulk_create(
            Step(phase=phase, position=position, **step_def)
            for position, step_def in enumerate(phase_def["steps"], start=1)
        )
    return process


def _ordered_steps(process: StrategyProcess) -> list[Step]:
    return list(
        Step.objects.filter(phase__process=process)
        .select_related("phase")
        .order_by("phase__position", "position")
    )


def _lock(process: StrategyProcess) -> StrategyProcess:
    locked = StrategyProcess.objects.select_for_update().get(pk=process.pk)
    if locked.status == StrategyProcess.Status.ARCHIVED:
        raise ProcessError(_("This edition is archived and can no longer be changed."))
    return locked


@transaction.atomic
def process_advance(*, process: StrategyProcess, by, note: str = "") -> StepTransition:
    """Move the process one step forward: the current step is done, the next one starts.

    With no step started yet, the first step starts; after the last step the process is
    completed."""
    process = _lock(process)
    steps = _ordered_steps(process)
    now = timezone.now()
    current_index = next(
        (i for i, s in enumerate(steps) if s.status == Step.Status.IN_PROGRESS), None
    )
    if current_index is None:
        if all(s.status == Step.Status.DONE for s in steps):
            raise ProcessError(_("The process is already completed."))
        current, following = None, steps[0]
    else:
        current = steps[current_index]
        following = steps[current_index + 1] if current_index + 1 < len(steps) else None
    if current is not None:
        current.status, current.completed_at = Step.Status.DONE, now
        current.save(update_fields=["status", "completed_at"])
    if following is not None:
        following.status, following.started_at = Step.Status.IN_PROGRESS, now
        following.completed_at = None
        following.save(update_fields=["status", "started_at", "completed_at"])
        process.status = StrategyProcess.Status.RUNNING
    else:
        process.status = StrategyProcess.Status.COMPLETED
    process.save(update_fields=["status"])
    transition = StepTransition.objects.create(
        process=process,
        from_step=current,
        to_step=following,
        direction=StepTransition.Direction.FORWARD,
        note=note,
        by=by,
    )
    _audit_transition(transition)
    return transition


@transaction.atomic
def process_move_back(*, process: StrategyProcess, by, note: str = "") -> StepTransition:
    """Move the process one step back: the current step is planned again and the previous
    step is in progress again. A completed process reopens its last step."""
    process = _lock(process)
    steps = _ordered_steps(process)
    current_index = next(
        (i for i, s in enumerate(steps) if s.status == Step.Status.IN_PROGRESS), None
    )
    if current_index is None:
        if not all(s.status == Step.Status.DONE for s in steps):
            raise ProcessError(
                _("The process has not started yet; there is no step to go back to.")
            )
        current, previous = None, steps[-1]
    else:
        current = steps[current_index]
        previous = steps[current_index - 1] if current_index > 0 else None
    if current is not None:
        current.status, current.started_at = Step.Status.PLANNED, None
        current.save(update_fields=["status", "started_at"])
    if previous is not None:
        previous.status, previous.completed_at = Step.Status.IN_PROGRESS, None
        previous.save(update_fields=["status", "completed_at"])
        process.status = StrategyProcess.Status.RUNNING
    else:
        process.status = StrategyProcess.Status.PREPARATION
    process.save(update_fields=["status"])
    transition = StepTransition.objects.create(
        process=process,
        from_step=current,
        to_step=previous,
        direction=StepTransition.Direction.BACKWARD,
        note=note,
        by=by,
    )
    _audit_transition(transition)
    return transition


def _audit_transition(transition: StepTransition) -> None:
    audit_record(
        action=AuditAction.PHASE_TRANSITION,
        actor=transition.by,
        target=transition.process,
        summary=f"{transition.from_step or '–'} → {transition.to_step or '–'}",
        details={"direction": transition.direction, "note": transition.note},
    )


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ProcessError(_("The planned end must not be before the planned start."))


@transaction.atomic
def step_schedule(*, step: Step, planned_start: date | None, planned_end: date | None) -> Step:
    """Set a step's planned dates."""
    _check_dates(planned_start, planned_end)
    _lock(step.phase.process)
    step.planned_start, step.planned_end = planned_start, planned_end
    step.save(update_fields=["planned_start", "planned_end"])
    return step


@transaction.atomic
def phase_schedule(*, phase: Phase, planned_start: date | None, planned_end: date | None) -> Phase:
    """Set a phase's planned dates."""
    _check_dates(planned_start, planned_end)
    _lock(phase.process)
    phase.planned_start, phase.planned_end = planned_start, planned_end
    phase.save(update_fields=["planned_start", "planned_end"])
    return phase
