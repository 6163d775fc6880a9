"""Reads of the strategy spine, shaped for the pages that show them."""

from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import IntegerField, OuterRef, Prefetch, Subquery
from django.utils import timezone

from accounts.models import Role

from .models import Municipality, Phase, Step, StepTransition, StrategyProcess


@dataclass
class PhaseView:
    """A phase with its ordered steps and derived status, ready for templates."""

    phase: Phase
    steps: list[Step]
    status: str

    @property
    def status_label(self) -> str:
        return Step.Status(self.status).label


@dataclass
class ProcessOverview:
    """Everything the process picture and the process pages need, in a fixed number of queries."""

    process: StrategyProcess
    phases: list[PhaseView]
    current_step: Step | None = None
    done_steps: int = 0
    total_steps: int = 0
    upcoming: list[dict] = field(default_factory=list)


def process_current() -> StrategyProcess | None:
    """The edition the dashboard shows: the newest one that is not archived."""
    return (
        StrategyProcess.objects.exclude(status=StrategyProcess.Status.ARCHIVED)
        .order_by("-year", "-created_at")
        .first()
    )


def process_overview(*, process: StrategyProcess, today: date | None = None) -> ProcessOverview:
    """Phases, steps, the current step and the next planned dates of ``process`` (one query)."""
    today = today or timezone.localdate()
    phases = list(
        process.phases.order_by("position").prefetch_related(
            Prefetch("steps", queryset=Step.objects.order_by("position"))
        )
    )
    views, current, done, total, upcoming = [], None, 0, 0, []
    for phase in phases:
        steps = list(phase.steps.all())
        views.append(PhaseView(phase=phase, steps=steps, status=phase.status_from(steps)))
        for step in steps:
            total += 1
            if step.status == Step.Status.DONE:
                done += 1
            elif step.status == Step.Status.IN_PROGRESS and current is None:
                current = step
            for kind, day in (("start", step.planned_start), ("end", step.planned_end)):
                if day and day >= today and step.status != Step.Status.DONE:
                    upcoming.append({"date": day, "kind": kind, "step": step, "phase": phase})
    upcoming.sort(key=lambda item: (item["date"], item["kind"] != "start"))
    return ProcessOverview(
        process=process,
        phases=views,
        current_step=current,
        done_steps=done,
        total_steps=total,
        upcoming=upcoming[:6],
    )


def process_transitions(*, process: StrategyProcess, limit: int = 50) -> list[StepTransition]:
    """The newest recorded moves of the process with who made them."""
    return list(
        process.transitions.select_related("from_step", "to_step", "by").order_by("-at", "-pk")[
            :limit
        ]
    )


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery, so counting related rows needs no JOIN."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def municipality_participation(*, process: StrategyProcess | None = None) -> list[Municipality]:
    """The 12 participants with their active accounts and representatives and, when the
    inventory app is installed, their active projects and whether their inventory is complete
    for ``process``. Correlated subqueries keep it at one query however much data there is."""
    users = get_user_model().objects.filter(is_active=True, municipality=OuterRef("pk"))
    queryset = Municipality.objects.annotate(
        account_count=SubqueryCount(users.values("pk")),
        representative_count=SubqueryCount(users.filter(role=Role.MUNICIPAL_REP).values("pk")),
        last_login=Subquery(
            users.exclude(last_login=None).order_by("-last_login").values("last_login")[:1]
        ),
    )
    if apps.is_installed("inventory"):
        # Looked up by name: the spine does not import the feature apps.
        project_model = apps.get_model("inventory", "Project")
        completion_model = apps.get_model("inventory", "InventoryCompletion")
        queryset = queryset.annotate(
            project_count=SubqueryCount(
                project_model.objects.filter(municipality=OuterRef("pk"), retired_at=None).values(
                    "pk"
                )
            ),
            inventory_completed_at=Subquery(
                completion_model.objects.filter(
                    municipality=OuterRef("pk"), process=process
                ).values("completed_at")[:1]
            ),
        )
    return list(queryset)
