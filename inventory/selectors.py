"""Reads of the inventory, shaped for its pages, each in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Q, Subquery

from strategy.models import Municipality, StrategyProcess, ThemeField

from .models import (
    ExistingStrategy,
    InventoryCompletion,
    InventoryReminder,
    Project,
    SynergyCandidate,
)


def project_list_queryset(queryset=None):
    """Projects with what the list shows, without a query per row."""
    queryset = queryset if queryset is not None else Project.objects.all()
    return queryset.select_related("municipality").prefetch_related("theme_fields")


def project_detail(*, pk: int) -> Project:
    """One project with everything the detail page shows."""
    return (
        Project.objects.select_related("municipality")
        .prefetch_related("theme_fields", "funding_programmes", "partners")
        .get(pk=pk)
    )


@dataclass
class MatrixRow:
    municipality: Municipality
    cells: list[dict]
    total: int


def field_matrix() -> dict:
    """Municipality × theme field: counts of active projects owned, with heat levels 0–4."""
    municipalities = list(Municipality.objects.all())
    fields = list(ThemeField.objects.all())
    counts = {
        (row["municipality_id"], row["theme_fields"]): row["n"]
        for row in Project.objects.active()
        .filter(theme_fields__isnull=False)
        .values("municipality_id", "theme_fields")
        .annotate(n=Count("id"))
    }
    highest = max(counts.values(), default=0)
    rows = []
    for municipality in municipalities:
        cells = []
        for field in fields:
            count = counts.get((municipality.pk, field.pk), 0)
            level = 0 if count == 0 else min(4, 1 + (3 * count) // max(highest, 1))
            cells.append({"field": field, "count": count, "level": level})
        rows.append(
            MatrixRow(municipality=municipality, cells=cells, total=sum(c["count"] for c in cells))
        )
    field_totals = [sum(row.cells[i]["count"] for row in rows) for i in range(len(fields))]
    return {"fields": fields, "rows": rows, "field_totals": field_totals, "highest": highest}


def completeness_overview(*, process: StrategyProcess | None) -> list[Municipality]:
    """The 12 participants with entry counts, last change, completion and last reminder."""
    active_projects = Q(projects__retired_at__isnull=True)
    queryset = Municipality.objects.annotate(
        project_count=Count("projects", filter=active_projects, distinct=True),
        strategy_count=Count(
            "existing_strategies",
            filter=Q(existing_strategies__retired_at__isnull=True),
            distinct=True,
        ),
        last_change=Max("projects__updated_at"),
        last_reminder=Subquery(
            InventoryReminder.objects.filter(municipality=OuterRef("pk"))
            .order_by("-requested_at")
            .values("requested_at")[:1]
        ),
    )
    participants = list(queryset)
    completions = {}
    if process is not None:
        completions = {
            c.municipality_id: c
            for c in InventoryCompletion.objects.filter(process=process).select_related(
                "completed_by"
            )
        }
    for municipality in participants:
        municipality.completion = completions.get(municipality.pk)
    return participants


def municipality_inventory(*, municipality: Municipality) -> dict:
    """What one municipality has recorded: its strategies and projects (owned or partner)."""
    projects = project_list_queryset(
        Project.objects.active()
        .filter(Q(municipality=municipality) | Q(partners=municipality))
        .distinct()
        .order_by("title")
    )
    strategies = ExistingStrategy.objects.filter(
        municipality=municipality, retired_at__isnull=True
    ).order_by("title")
    return {"projects": list(projects), "strategies": list(strategies)}


def synergy_candidates(*, decision: str | None = None):
    """Synergy candidates with their projects and municipalities, strongest first."""
    queryset = SynergyCandidate.objects.select_related("decided_by").prefetch_related(
        "projects__municipality"
    )
    if decision:
        queryset = queryset.filter(decision=decision)
    return queryset.order_by("-score", "pk")
