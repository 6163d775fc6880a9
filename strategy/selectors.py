"""Reads of the strategy spine, shaped for the pages that show them."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Prefetch, Q
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


def municipality_participation() -> list[Municipality]:
    """The 12 participants with how many active accounts and representatives each has."""
    active = Q(users__is_active=True)
    return list(
        Municipality.objects.annotate(
            account_count=Count("users", filter=active),
            representative_count=Count("users", filter=active & Q(users__role=Role.MUNICIPAL_REP)),
            last_login=Max("users__last_login", filter=active),
        )
    )
