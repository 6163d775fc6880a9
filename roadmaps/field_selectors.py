"""Reads of the theme field plans: the overview, a field page with its goals, target values
and measurements, and the priorities a dot vote proposes. Each runs a fixed number of
queries, however many goals, target values and measurements there are."""

import math
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import get_object_or_404

from strategy.models import StrategyProcess, ThemeField
from workshops.models import Activity, PromotedResult
from workshops.results import dot_vote_results

from .models import FieldPlan, Goal, Measurement, TargetValue
from .progress import TargetProgress, target_progress


def field_overview(*, process: StrategyProcess) -> list[FieldPlan]:
    """The field plans of ``process``, ranked first (then by the theme field's position),
    each with ``goal_count`` and ``target_count`` (one query)."""
    return list(
        FieldPlan.objects.filter(process=process)
        .select_related("theme_field", "priority_source")
        .annotate(
            goal_count=Count("goals", distinct=True),
            target_count=Count("goals__target_values", distinct=True),
        )
        .order_by(F("rank").asc(nulls_last=True), "theme_field__position", "theme_field__name")
    )


@dataclass
class TargetView:
    """A target value with its measurements and progress."""

    target_value: TargetValue
    progress: TargetProgress


@dataclass
class GoalView:
    """A goal with its target values and, for a strategic goal, its operative goals."""

    goal: Goal
    targets: list[TargetView]
    operative: list["GoalView"] = field(default_factory=list)


@dataclass
class FieldPlanDetail:
    """Everything the field page shows: strategic goals with their operative goals below
    them, and operative goals that have no strategic goal (yet)."""

    plan: FieldPlan
    strategic: list[GoalView]
    unassigned: list[GoalView]

    @property
    def goal_count(self) -> int:
        return (
            len(self.strategic)
            + sum(len(g.operative) for g in self.strategic)
            + len(self.unassigned)
        )


def _goal_view(goal: Goal) -> GoalView:
    targets = [
        TargetView(target_value=t, progress=target_progress(t, list(t.measurements.all())))
        for t in goal.target_values.all()
    ]
    return GoalView(goal=goal, targets=targets)


def field_plan_detail(*, pk: int) -> FieldPlanDetail:
    """The field plan ``pk`` with goals → target values → measurements (four queries)."""
    measurements = Measurement.objects.order_by("measured_on", "pk")
    targets = TargetValue.objects.order_by("pk").prefetch_related(
        Prefetch("measurements", queryset=measurements)
    )
    goals = Goal.objects.order_by("position", "pk").prefetch_related(
        Prefetch("target_values", queryset=targets)
    )
    plan = get_object_or_404(
        FieldPlan.objects.select_related(
            "theme_field", "process", "priority_source"
        ).prefetch_related(Prefetch("goals", queryset=goals)),
        pk=pk,
    )
    goals = list(plan.goals.all())
    strategic = [_goal_view(g) for g in goals if g.kind == Goal.Kind.STRATEGIC]
    by_pk = {view.goal.pk: view for view in strategic}
    unassigned = []
    for goal in goals:
        if goal.kind != Goal.Kind.OPERATIVE:
            continue
        view = _goal_view(goal)
        if goal.parent_id in by_pk:
            by_pk[goal.parent_id].operative.append(view)
        else:
            unassigned.append(view)
    return FieldPlanDetail(plan=plan, strategic=strategic, unassigned=unassigned)


def priority_votes(*, process: StrategyProcess) -> list[Activity]:
    """Finished dot votes over theme fields in the workshops of ``process``, newest first,
    each with ``dot_count`` and ``promoted_count`` (field priorities carried over)."""
    return list(
        Activity.objects.filter(
            session__workshop__process=process,
            kind=Activity.Kind.DOT_VOTE,
            target=Activity.Target.THEME_FIELDS,
            status=Activity.Status.CLOSED,
        )
        .select_related("session__workshop")
        .annotate(
            dot_count=Count("dots", distinct=True),
            promoted_count=Count(
                "promoted",
                filter=Q(promoted__kind=PromotedResult.Kind.FIELD_PRIORITY),
                distinct=True,
            ),
        )
        .order_by("-closed_at", "-pk")
    )


@dataclass
class ProposalRow:
    """A theme field with the dots it got, its position in the vote and the proposed tier."""

    theme_field: ThemeField
    dots: int | None
    rank: int
    tier: str
    voted: bool = True


def tiers_split(count: int) -> list[str]:
    """Tiers for ``count`` ranked fields: the top third I, the middle third II, the rest III."""
    first, second = math.ceil(count / 3), math.ceil(2 * count / 3)
    return [
        FieldPlan.Tier.I if i < first else FieldPlan.Tier.II if i < second else FieldPlan.Tier.III
        for i in range(count)
    ]


def vote_priority_proposal(*, activity: Activity) -> list[ProposalRow]:
    """Ranks and tiers that the dot vote ``activity`` proposes for all theme fields.

    The field priorities promoted from the activity win when there are any (the facilitator
    has confirmed them); otherwise the dots decide, ties in alphabetical order. Fields the
    vote did not cover come last with tier III. An empty list means the vote has no
    results."""
    fields = {f.pk: f for f in ThemeField.objects.all()}
    promoted = list(
        PromotedResult.objects.filter(
            activity=activity,
            kind=PromotedResult.Kind.FIELD_PRIORITY,
            theme_field__isnull=False,
        ).order_by(F("rank").asc(nulls_last=True), F("dots").desc(nulls_last=True), "pk")
    )
    ordered: list[tuple[int, int | None]] = []
    if promoted:
        for result in promoted:
            if result.theme_field_id in fields and all(
                pk != result.theme_field_id for pk, _ in ordered
            ):
                ordered.append((result.theme_field_id, result.dots))
    else:
        rows = dot_vote_results(activity)
        if not any(row.dots for row in rows):
            return []
        ordered = [(row.theme_field_id, row.dots) for row in rows if row.theme_field_id in fields]
    tiers = tiers_split(len(ordered))
    proposal = [
        ProposalRow(theme_field=fields[pk], dots=dots, rank=index, tier=tiers[index - 1])
        for index, (pk, dots) in enumerate(ordered, start=1)
    ]
    covered = {pk for pk, _ in ordered}
    for theme_field in fields.values():
        if theme_field.pk not in covered:
            proposal.append(
                ProposalRow(
                    theme_field=theme_field,
                    dots=None,
                    rank=len(proposal) + 1,
                    tier=FieldPlan.Tier.III,
                    voted=False,
                )
            )
    return proposal
