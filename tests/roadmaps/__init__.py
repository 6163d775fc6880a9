"""Helpers shared by the roadmaps tests: measures, milestones, field plans, goals, votes."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from roadmaps.field_services import field_plans_ensure
from roadmaps.models import FieldPlan, Goal, Measure, Milestone, TargetValue
from strategy.models import Step, ThemeField


def make_measure(process, number, *, fields=None, municipalities=(), depends_on=(), **values):
    """A measure saved directly (the services are tested on their own)."""
    values.setdefault("title", f"Maßnahme {number}")
    for name in ("investment_cost", "running_cost_per_year", "grant_rate"):
        if isinstance(values.get(name), int | str):
            values[name] = Decimal(values[name])
    measure = Measure.objects.create(process=process, number=number, **values)
    measure.theme_fields.set(fields or [ThemeField.objects.order_by("position").first()])
    measure.municipalities.set(municipalities)
    measure.depends_on.set(depends_on)
    return measure


def add_milestone(measure, title, due_on: date, done=False):
    return Milestone.objects.create(measure=measure, title=title, due_on=due_on, done=done)


def plan_of(process, name="Mobilität") -> FieldPlan:
    field_plans_ensure(process=process)
    return FieldPlan.objects.get(process=process, theme_field__name=name)


def goal_in(plan, title="Mehr Menschen nutzen den ÖPNV", kind="strategic", parent=None) -> Goal:
    return Goal.objects.create(field_plan=plan, kind=kind, parent=parent, title=title)


def target_of(goal, **values) -> TargetValue:
    defaults = {
        "indicator": "Fahrgäste pro Jahr",
        "unit": "Mio.",
        "baseline_value": Decimal("10"),
        "baseline_year": 2025,
        "target_value": Decimal("20"),
        "target_year": 2030,
    }
    return TargetValue.objects.create(goal=goal, **{**defaults, **values})


def dot_vote(process, dots: dict[str, int], *, status="closed", title="Welche Felder zuerst?"):
    """A dot vote over the theme fields in a workshop of ``process`` with ``dots`` per field
    name, placed by participants of five dots each."""
    from workshops.models import Activity, Dot, Participant, Workshop, WorkshopSession

    workshop = Workshop.objects.create(
        process=process,
        step=Step.objects.filter(phase__process=process).first(),
        kind=Workshop.Kind.KICKOFF,
        title="Auftaktworkshop",
        status=Workshop.Status.HELD,
    )
    session = WorkshopSession.objects.create(
        workshop=workshop, starts_at=timezone.now() - timedelta(days=1), duration_minutes=180
    )
    activity = Activity.objects.create(
        session=session,
        kind=Activity.Kind.DOT_VOTE,
        target=Activity.Target.THEME_FIELDS,
        title=title,
        status=status,
        closed_at=timezone.now() if status == "closed" else None,
    )
    fields = {f.name: f for f in ThemeField.objects.all()}
    placed = [fields[name] for name, count in dots.items() for _ in range(count)]
    for start in range(0, len(placed), 5):
        participant = Participant.objects.create(session=session, display_name=f"P{start}")
        Dot.objects.bulk_create(
            Dot(activity=activity, participant=participant, slot=slot, theme_field=field)
            for slot, field in enumerate(placed[start : start + 5], start=1)
        )
    return activity
