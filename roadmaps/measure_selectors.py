"""Reads of the measures, shaped for the list, the profile, the roadmap and the funding
overview, each in a fixed number of queries whatever the number of measures."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from strategy.models import FundingProgramme, Municipality, StrategyProcess, ThemeField

from .models import Goal, Measure, Milestone, TargetValue

# The numbers the suggestion counts on: ASCII digits only ("\d" also takes "٣" and "１"),
# few enough that the next one still fits the field.
NUMBER_PATTERN = re.compile(r"M-([0-9]{1,6})", re.IGNORECASE)
ZERO = Decimal("0")


def measure_number_suggest(*, process: StrategyProcess) -> str:
    """The next free number of the form M-01, M-02, … (one query)."""
    numbers = Measure.objects.filter(process=process).values_list("number", flat=True)
    highest = max(
        (int(match[1]) for number in numbers if (match := NUMBER_PATTERN.fullmatch(number))),
        default=0,
    )
    return f"M-{highest + 1:02d}"


def measure_queryset(*, process: StrategyProcess) -> QuerySet[Measure]:
    """Measures of ``process`` with what lists show (theme fields, municipalities, programme)."""
    return (
        Measure.objects.filter(process=process)
        .select_related("funding_programme")
        .prefetch_related("theme_fields", "municipalities")
        .order_by("number", "pk")
    )


def measure_detail(*, pk: int) -> Measure:
    """One measure with everything its profile (Maßnahmensteckbrief) shows."""
    return (
        Measure.objects.select_related(
            "process",
            "funding_programme",
            "origin_result__activity__session__workshop",
            "origin_project__municipality",
            "origin_synergy",
        )
        .prefetch_related(
            "theme_fields",
            "municipalities",
            "origin_synergy__projects__municipality",
            Prefetch("goals", queryset=Goal.objects.select_related("field_plan__theme_field")),
            Prefetch("target_values", queryset=TargetValue.objects.select_related("goal")),
            Prefetch("depends_on", queryset=Measure.objects.order_by("number")),
            Prefetch("dependents", queryset=Measure.objects.order_by("number")),
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
        )
        .get(pk=pk)
    )


@dataclass
class Origin:
    """Where a measure comes from, for the profile: a label, the object and a link."""

    kind: str
    text: str
    url: str = ""


def _url(obj) -> str:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        # The page of that object is not part of this installation (yet).
        return ""


def measure_origin(*, measure: Measure) -> Origin:
    """The origin of ``measure`` with its linked object (no query after ``measure_detail``)."""
    kind = measure.get_origin_display()
    if measure.origin == Measure.Origin.WORKSHOP and measure.origin_result:
        workshop = measure.origin_result.activity.session.workshop
        text = f"{workshop.title}: {measure.origin_result.text}"
        return Origin(kind, text, _url(workshop))
    if measure.origin == Measure.Origin.INVENTORY and measure.origin_project:
        project = measure.origin_project
        text = f"{project.key} {project.title} ({project.municipality.name})"
        return Origin(kind, text, _url(project))
    if measure.origin == Measure.Origin.SYNERGY and measure.origin_synergy:
        projects = measure.origin_synergy.projects.all()
        text = " / ".join(f"{p.title} ({p.municipality.name})" for p in projects)
        url = reverse("inventory:synergy_list") + "?decision=joint_project"
        return Origin(kind, text or measure.origin_synergy.key, url)
    return Origin(kind, "")


# Roadmap -----------------------------------------------------------------------------------


@dataclass(slots=True)
class RoadmapMilestone:
    title: str
    due_on: date
    done: bool


@dataclass(slots=True, eq=False)
class RoadmapMeasure:
    """What the roadmap (timeline, table, warnings) shows of a measure. A plain value instead
    of a model instance: a roadmap of 300 measures with their milestones and prerequisites
    made about a thousand instances per page, whose creation and garbage collection cost more
    than the queries."""

    pk: int
    number: str
    title: str
    start_date: date | None
    end_date: date | None
    priority: str
    status: str
    milestones: list[RoadmapMilestone] = field(default_factory=list)
    # The measures this one depends on, in the roadmap or filtered out of it.
    prerequisites: list["RoadmapMeasure"] = field(default_factory=list)

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("roadmaps:measure_detail", kwargs={"pk": self.pk})


@dataclass
class DependencyWarning:
    """``measure`` starts before ``prerequisite``, which it depends on, ends."""

    measure: RoadmapMeasure
    prerequisite: RoadmapMeasure


@dataclass
class Roadmap:
    """The measures of a roadmap in timeline order, with their dependency warnings."""

    measures: list[RoadmapMeasure]
    warnings: list[DependencyWarning]
    theme_field: ThemeField | None = None

    @property
    def warned_pks(self) -> set[int]:
        return {warning.measure.pk for warning in self.warnings}


# What the roadmap (timeline, table, warnings) shows of a measure and of its prerequisites.
ROADMAP_FIELDS = ("pk", "number", "title", "start_date", "end_date", "priority", "status")


def starts_too_early(measure, prerequisite) -> bool:
    """A measure should not start before a measure it depends on ends (``Measure`` or
    ``RoadmapMeasure``)."""
    return bool(
        measure.start_date and prerequisite.end_date and measure.start_date < prerequisite.end_date
    )


def roadmap_build(*, measures: QuerySet[Measure], theme_field: ThemeField | None = None) -> Roadmap:
    """The measures of ``measures`` (already filtered) ordered by start, with milestones,
    prerequisites and warnings, in three queries whatever the number of measures."""
    selected = measures.values("pk")
    rows = [
        RoadmapMeasure(*values)
        for values in measures.order_by(
            F("start_date").asc(nulls_last=True), "number", "pk"
        ).values_list(*ROADMAP_FIELDS)
    ]
    by_pk = {row.pk: row for row in rows}
    for measure_pk, *values in (
        Milestone.objects.filter(measure__in=selected)
        .order_by("due_on", "pk")
        .values_list("measure_id", "title", "due_on", "done")
    ):
        by_pk[measure_pk].milestones.append(RoadmapMilestone(*values))
    # Prerequisites filtered out of the roadmap still warn, so they come with the dependency.
    outside: dict[int, RoadmapMeasure] = {}
    for measure_pk, prerequisite_pk, *values in (
        Measure.depends_on.through.objects.filter(from_measure__in=selected)
        .order_by("to_measure__number", "to_measure_id")
        .values_list(
            "from_measure_id",
            "to_measure_id",
            *(f"to_measure__{name}" for name in ROADMAP_FIELDS[1:]),
        )
    ):
        prerequisite = by_pk.get(prerequisite_pk) or outside.setdefault(
            prerequisite_pk, RoadmapMeasure(prerequisite_pk, *values)
        )
        by_pk[measure_pk].prerequisites.append(prerequisite)
    warnings = [
        DependencyWarning(measure, prerequisite)
        for measure in rows
        for prerequisite in measure.prerequisites
        if starts_too_early(measure, prerequisite)
    ]
    return Roadmap(measures=rows, warnings=warnings, theme_field=theme_field)


# Funding overview ----------------------------------------------------------------------------


# What the funding sums need of a measure (``possible_grant`` and ``own_share`` derive from them).
FUNDING_FIELDS = (
    "pk",
    "funding_programme_id",
    "investment_cost",
    "grant_rate",
    "running_cost_per_year",
)


@dataclass
class FundingRow:
    """Sums of one funding programme or one municipality."""

    label: str
    programme: FundingProgramme | None = None
    municipality: Municipality | None = None
    measure_count: int = 0
    investment: Decimal = ZERO
    grant: Decimal = ZERO
    own_share: Decimal = ZERO
    running_cost: Decimal = ZERO

    def add(self, measure: Measure, parts: int = 1) -> None:
        """Add ``measure``'s sums, split equally into ``parts``."""
        self.measure_count += 1
        self.investment += (measure.investment_cost or ZERO) / parts
        self.grant += (measure.possible_grant or ZERO) / parts
        self.own_share += (measure.own_share or ZERO) / parts
        self.running_cost += (measure.running_cost_per_year or ZERO) / parts


@dataclass
class FundingOverview:
    by_programme: list[FundingRow] = field(default_factory=list)
    by_municipality: list[FundingRow] = field(default_factory=list)
    total: FundingRow | None = None


def funding_overview(*, process: StrategyProcess) -> FundingOverview:
    """Investment, possible grants and own share of the measures of ``process`` per funding
    programme and per municipality. A measure's sums are split equally among its participating
    municipalities; a measure without municipalities counts as Kreis-wide. Four queries."""
    measures = list(
        Measure.objects.filter(process=process)
        .exclude(status=Measure.Status.DROPPED)
        .only(*FUNDING_FIELDS)
    )
    # The participations as plain pairs: no Municipality instance per measure and participant
    # (those of dropped measures are read but never looked up).
    participations: dict[int, list[int]] = {}
    for measure_pk, municipality_pk in Measure.municipalities.through.objects.filter(
        measure__process=process
    ).values_list("measure_id", "municipality_id"):
        participations.setdefault(measure_pk, []).append(municipality_pk)
    programmes = {
        p.pk: FundingRow(label=p.name, programme=p) for p in FundingProgramme.objects.all()
    }
    without = FundingRow(label=_("No funding programme"))
    municipalities = {
        m.pk: FundingRow(label=m.name, municipality=m) for m in Municipality.objects.all()
    }
    district_wide = FundingRow(label=_("Kreis-wide (no municipality named)"))
    total = FundingRow(label=_("Total"))
    for measure in measures:
        total.add(measure)
        programmes.get(measure.funding_programme_id, without).add(measure)
        participants = participations.get(measure.pk)
        if not participants:
            district_wide.add(measure)
            continue
        for municipality_pk in participants:
            municipalities[municipality_pk].add(measure, len(participants))
    by_programme = [row for row in programmes.values() if row.measure_count]
    if without.measure_count:
        by_programme.append(without)
    return FundingOverview(
        by_programme=by_programme,
        by_municipality=[*municipalities.values(), district_wide],
        total=total,
    )
