"""Writes of the theme field plans: priorities (set directly or taken from a dot vote), the
field vision, goals, target values and measurements.

Each service runs in a transaction and raises ``FieldPlanError`` with a translatable
message when the change is not allowed; nothing is saved then."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from strategy.models import StrategyProcess, ThemeField
from workshops.models import Activity

from .field_selectors import ProposalRow, vote_priority_proposal
from .models import FieldPlan, Goal, Measurement, TargetValue


class FieldPlanError(Exception):
    """A change to a field plan that is not allowed; the message is shown to the user.

    ``field`` names the form field the message belongs to, if any."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@transaction.atomic
def field_plans_ensure(*, process: StrategyProcess) -> int:
    """Create the missing field plans of ``process``, one per theme field; returns how many
    were created. Two queries when nothing is missing (the check and the savepoint aside)."""
    missing = list(
        ThemeField.objects.filter(
            ~Exists(FieldPlan.objects.filter(process=process, theme_field=OuterRef("pk")))
        ).values_list("pk", flat=True)
    )
    if missing:
        FieldPlan.objects.bulk_create(
            [FieldPlan(process=process, theme_field_id=pk) for pk in missing],
            ignore_conflicts=True,
        )
    return len(missing)


@dataclass
class PriorityInput:
    """The priority of one field plan as entered: tier ("" for none), rank, rationale."""

    tier: str
    rank: int | None
    rationale: str = ""


def duplicate_ranks(ranks: list[int | None]) -> set[int]:
    """The ranks that appear more than once (blank ranks do not count)."""
    seen, duplicates = set(), set()
    for rank in ranks:
        if rank is None:
            continue
        (duplicates if rank in seen else seen).add(rank)
    return duplicates


@transaction.atomic
def field_priorities_set(
    *, process: StrategyProcess, priorities: dict[int, PriorityInput]
) -> list[FieldPlan]:
    """Set tier, rank and rationale of the field plans of ``process`` (keyed by plan pk).

    Ranks must be unique and tiers I, II or III (or blank). A plan whose tier or rank
    changes no longer counts as taken from a dot vote."""
    plans = {p.pk: p for p in FieldPlan.objects.select_for_update().filter(process=process)}
    unknown = set(priorities) - set(plans)
    if unknown:
        raise FieldPlanError(_("A theme field of another strategy process was submitted."))
    valid_tiers = {"", *FieldPlan.Tier.values}
    for entry in priorities.values():
        if entry.tier not in valid_tiers:
            raise FieldPlanError(_("Please choose priority I, II or III."))
        if entry.rank is not None and entry.rank < 1:
            raise FieldPlanError(_("A rank must be 1 or higher."))
    ranks = [(priorities[pk].rank if pk in priorities else plan.rank) for pk, plan in plans.items()]
    duplicates = duplicate_ranks(ranks)
    if duplicates:
        raise FieldPlanError(
            _("Each rank may be given only once; given more than once: %(ranks)s.")
            % {"ranks": ", ".join(str(r) for r in sorted(duplicates))}
        )
    changed = []
    for pk, entry in priorities.items():
        plan = plans[pk]
        if (plan.tier, plan.rank) != (entry.tier, entry.rank):
            plan.priority_source = None
        plan.tier, plan.rank, plan.rationale = entry.tier, entry.rank, entry.rationale.strip()
        changed.append(plan)
    FieldPlan.objects.bulk_update(changed, ["tier", "rank", "rationale", "priority_source"])
    return changed


def vote_check(*, process: StrategyProcess, activity: Activity) -> None:
    """Raise ``FieldPlanError`` unless ``activity`` is a finished dot vote over the theme
    fields in a workshop of ``process``."""
    if activity.kind != Activity.Kind.DOT_VOTE or activity.target != Activity.Target.THEME_FIELDS:
        raise FieldPlanError(
            _("Only a dot vote over the theme fields can set the priorities."), field="activity"
        )
    if activity.session.workshop.process_id != process.pk:
        raise FieldPlanError(
            _("This dot vote belongs to another strategy process."), field="activity"
        )
    if activity.status != Activity.Status.CLOSED:
        raise FieldPlanError(
            _("This dot vote is not finished yet. Please close it in the workshop first."),
            field="activity",
        )


def no_results_message(activity: Activity) -> str:
    """What to say when a dot vote has nothing to take the priorities from."""
    return _(
        "The dot vote “%(title)s” has no results: nobody placed a dot on a theme field and no "
        "field priorities were carried over from it."
    ) % {"title": activity.title}


@transaction.atomic
def field_priorities_from_vote(
    *, process: StrategyProcess, activity: Activity
) -> list[ProposalRow]:
    """Take ranks and tiers of all field plans from the finished dot vote ``activity`` (see
    ``vote_priority_proposal``) and record the vote as their source. An empty rationale is
    filled with the number of dots."""
    vote_check(process=process, activity=activity)
    proposal = vote_priority_proposal(activity=activity)
    if not proposal:
        raise FieldPlanError(no_results_message(activity), field="activity")
    field_plans_ensure(process=process)
    plans = {
        p.theme_field_id: p for p in FieldPlan.objects.select_for_update().filter(process=process)
    }
    for row in proposal:
        plan = plans[row.theme_field.pk]
        plan.rank, plan.tier = row.rank, row.tier
        plan.priority_source = activity if row.voted else None
        if not plan.rationale.strip() and row.dots is not None:
            plan.rationale = str(
                _("Dots in the dot vote “%(title)s”: %(dots)s.")
                % {"dots": row.dots, "title": activity.title}
            )
    FieldPlan.objects.bulk_update(
        list(plans.values()), ["tier", "rank", "rationale", "priority_source"]
    )
    return proposal


@transaction.atomic
def field_vision_save(*, field_plan: FieldPlan, vision: str) -> FieldPlan:
    """Save the field vision (Markdown; rendered sanitised)."""
    field_plan.vision = vision.strip()
    field_plan.save(update_fields=["vision"])
    return field_plan


def goal_hierarchy_check(
    *, field_plan: FieldPlan, kind: str, parent: Goal | None, goal: Goal | None = None
) -> None:
    """Raise ``FieldPlanError`` unless an operative goal sits under a strategic goal of the
    same field and a strategic goal has no parent and keeps no operative goals when it is
    turned into an operative one."""
    if kind == Goal.Kind.STRATEGIC:
        if parent is not None:
            raise FieldPlanError(
                _("A strategic goal cannot be placed under another goal."), field="parent"
            )
        return
    if kind != Goal.Kind.OPERATIVE:
        raise FieldPlanError(_("Please choose strategic or operative."), field="kind")
    if parent is None:
        raise FieldPlanError(
            _("Please choose the strategic goal this operative goal belongs to."),
            field="parent",
        )
    if parent.field_plan_id != field_plan.pk:
        raise FieldPlanError(
            _("The strategic goal must belong to the same theme field."), field="parent"
        )
    if parent.kind != Goal.Kind.STRATEGIC:
        raise FieldPlanError(
            _("An operative goal can only be placed under a strategic goal."), field="parent"
        )
    if goal is not None and goal.pk is not None:
        if parent.pk == goal.pk:
            raise FieldPlanError(_("A goal cannot be placed under itself."), field="parent")
        if goal.operative_goals.exists():
            raise FieldPlanError(
                _(
                    "This strategic goal still has operative goals. Please move or delete them "
                    "before making it an operative goal."
                ),
                field="kind",
            )


@transaction.atomic
def goal_save(
    *,
    field_plan: FieldPlan,
    goal: Goal | None = None,
    kind: str,
    parent: Goal | None,
    title: str,
    description: str = "",
    position: int = 0,
) -> Goal:
    """Create a goal of ``field_plan`` or update ``goal``, checking the hierarchy."""
    if goal is not None and goal.field_plan_id != field_plan.pk:
        raise FieldPlanError(_("This goal belongs to another theme field."))
    goal_hierarchy_check(field_plan=field_plan, kind=kind, parent=parent, goal=goal)
    if not title.strip():
        raise FieldPlanError(_("Please enter a title."), field="title")
    goal = goal or Goal(field_plan=field_plan)
    goal.kind, goal.parent = kind, parent if kind == Goal.Kind.OPERATIVE else None
    goal.title, goal.description, goal.position = title.strip(), description.strip(), position
    goal.save()
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal) -> None:
    """Delete a goal with its target values, measurements and operative goals."""
    goal.delete()


TARGET_FIELDS = (
    "indicator",
    "unit",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_year",
    "data_source",
    "responsible_body",
    "interval",
)


@transaction.atomic
def target_value_save(
    *, goal: Goal, instance: TargetValue | None = None, values: dict[str, object]
) -> TargetValue:
    """Create a target value of ``goal`` or update ``instance`` with ``values`` (keyed by the
    names in ``TARGET_FIELDS``); the model's validation decides (years 2000–2100, target year
    not before the baseline year, unit required)."""
    unexpected = set(values) - set(TARGET_FIELDS)
    if unexpected:
        raise TypeError(f"unexpected target value fields: {sorted(unexpected)}")
    if instance is not None and instance.goal_id != goal.pk:
        raise FieldPlanError(_("This target value belongs to another goal."))
    target_value = instance or TargetValue(goal=goal)
    for name, value in values.items():
        setattr(target_value, name, value)
    try:
        target_value.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise FieldPlanError(messages[0], field=None if field == "__all__" else field) from error
    target_value.save()
    return target_value


@transaction.atomic
def target_value_delete(*, target_value: TargetValue) -> None:
    """Delete a target value with its measurements."""
    target_value.delete()


@transaction.atomic
def measurement_record(
    *, target_value: TargetValue, measured_on: date, value: Decimal, note: str = "", user
) -> Measurement:
    """Record a measured value of ``target_value`` on ``measured_on``."""
    if not 2000 <= measured_on.year <= 2100:
        raise FieldPlanError(
            _("Please enter a date between the years 2000 and 2100."), field="measured_on"
        )
    measurement = Measurement(
        target_value=target_value,
        measured_on=measured_on,
        value=value,
        note=note.strip(),
        recorded_by=user,
    )
    try:
        measurement.full_clean(exclude=["recorded_by"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise FieldPlanError(messages[0], field=None if field == "__all__" else field) from error
    measurement.save()
    return measurement


@transaction.atomic
def measurement_delete(*, measurement: Measurement) -> None:
    """Delete a measurement recorded by mistake."""
    measurement.delete()
