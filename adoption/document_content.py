"""What the strategy PDF shows, read from a frozen strategy version.

The strategy itself (process, vision, principles, theme fields with goals and measures, roadmap,
funding) comes from the version's snapshot (``StrategyVersion.content``, assembled by
``roadmaps.consolidation.strategy_assemble``), so the PDF shows exactly what was frozen. The
annexes (inventory of every municipality, workshops held) and the adoption status are read
live when the PDF is rendered; the PDF says so ("Stand").

The shared templates of the process picture and of the roadmap timeline work on model
objects; the small classes here give the snapshot's plain data the same shape."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from inventory.models import Project
from roadmaps.markdown import render_markdown
from roadmaps.measure_selectors import (
    DependencyWarning,
    Roadmap,
    RoadmapMeasure,
    RoadmapMilestone,
    starts_too_early,
)
from roadmaps.models import StrategyVersion
from strategy.models import Municipality, Step
from workshops.models import Workshop, WorkshopSession

from .models import StrategyDocument

# Rows of one roadmap timeline: a longer roadmap is drawn as several timelines, one per page.
GANTT_ROWS_PER_PART = 28

_HEADING = re.compile(r"<(/?)h([2-6])>")


def markdown_in_chapter(text: str) -> SafeString:
    """Sanitised HTML of a strategy text, its headings moved below the chapter's (h2) and
    section's (h3) headings so that the PDF's structure and bookmarks stay in order."""
    html = render_markdown(text)
    return mark_safe(  # noqa: S308 - sanitised by render_markdown; only heading tags change
        _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}>", html)
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


# --- The snapshot in the shape of the shared templates -----------------------------------------


@dataclass
class SnapshotStep:
    title: str
    short_title: str
    status: str
    status_label: str
    planned_start: date | None
    planned_end: date | None

    def get_status_display(self) -> str:
        return self.status_label


@dataclass
class SnapshotPhase:
    name: str
    planned_start: date | None
    planned_end: date | None


@dataclass
class SnapshotPhaseView:
    phase: SnapshotPhase
    steps: list[SnapshotStep]
    status: str
    status_label: str


@dataclass
class SnapshotOverview:
    """The process as frozen, for ``strategy/_process_picture.html``."""

    phases: list[SnapshotPhaseView]
    current_step: SnapshotStep | None
    done_steps: int
    total_steps: int


def process_overview_from(introduction: dict) -> SnapshotOverview:
    phases, current, done, total = [], None, 0, 0
    for phase in introduction.get("phases", []):
        steps = [
            SnapshotStep(
                title=step["title"],
                short_title=step.get("short_title") or step["title"],
                status=step["status"],
                status_label=step["status_label"],
                planned_start=_date(step.get("planned_start")),
                planned_end=_date(step.get("planned_end")),
            )
            for step in phase.get("steps", [])
        ]
        for step in steps:
            total += 1
            done += step.status == Step.Status.DONE
            if step.status == Step.Status.IN_PROGRESS and current is None:
                current = step
        phases.append(
            SnapshotPhaseView(
                phase=SnapshotPhase(
                    name=phase["name"],
                    planned_start=_date(phase.get("planned_start")),
                    planned_end=_date(phase.get("planned_end")),
                ),
                steps=steps,
                status=phase["status"],
                status_label=phase["status_label"],
            )
        )
    return SnapshotOverview(phases=phases, current_step=current, done_steps=done, total_steps=total)


@dataclass
class SnapshotRoadmap(Roadmap):
    """A part of the snapshot's roadmap (measures ``first`` to ``last``) for one timeline."""

    first: int = 0
    last: int = 0

    @property
    def chart_id(self) -> str:
        return f"pdf-roadmap-{self.first}"


def snapshot_roadmap(content: dict) -> Roadmap:
    """The roadmap of a frozen version's content in timeline order, as the roadmap's own values
    (``RoadmapMeasure``), so that ``roadmaps.gantt`` draws it like the live one. Used by the PDF
    and by the public page: both show exactly what was frozen."""
    chapters = content.get("chapters", [])
    details = {
        measure["number"]: measure
        for chapter in chapters
        if chapter.get("key") == "field"
        for measure in chapter.get("measures", [])
    }
    roadmap = next((c for c in chapters if c.get("key") == "roadmap"), {"measures": []})
    measures, by_number = [], {}
    for index, row in enumerate(roadmap.get("measures", [])):
        detail = details.get(row["number"], {})
        measure = RoadmapMeasure(
            pk=detail.get("id", -index - 1),
            number=row["number"],
            title=row["title"],
            start_date=_date(row.get("start_date")),
            end_date=_date(row.get("end_date")),
            priority=row.get("priority", ""),
            status=row.get("status", ""),
            milestones=[
                RoadmapMilestone(m["title"], _date(m["due_on"]), m.get("done", False))
                for m in detail.get("milestones", [])
                if m.get("due_on")
            ],
        )
        measures.append(measure)
        by_number[measure.number] = measure
    for measure in measures:
        numbers = details.get(measure.number, {}).get("depends_on", [])
        measure.prerequisites = [by_number[n] for n in numbers if n in by_number]
    warnings = [
        DependencyWarning(measure, prerequisite)
        for measure in measures
        for prerequisite in measure.prerequisites
        if starts_too_early(measure, prerequisite)
    ]
    return Roadmap(measures=measures, warnings=warnings)


def roadmap_parts(content: dict) -> list[SnapshotRoadmap]:
    """The roadmap of the snapshot in timeline order, cut into parts of at most
    ``GANTT_ROWS_PER_PART`` measures (dependencies across parts are listed in the table)."""
    roadmap = snapshot_roadmap(content)
    parts = []
    for offset in range(0, len(roadmap.measures), GANTT_ROWS_PER_PART):
        chunk = roadmap.measures[offset : offset + GANTT_ROWS_PER_PART]
        inside = {measure.pk for measure in chunk}
        parts.append(
            SnapshotRoadmap(
                measures=chunk,
                warnings=[w for w in roadmap.warnings if w.measure.pk in inside],
                first=offset + 1,
                last=offset + len(chunk),
            )
        )
    return parts


# --- The parts read live ---------------------------------------------------------------------


@dataclass
class InventoryGroup:
    """The active digital projects of one municipality (or the Kreis)."""

    municipality: Municipality
    projects: list[Project]


def inventory_groups() -> list[InventoryGroup]:
    """All 12 participants, each with its active projects (three queries)."""
    projects = defaultdict(list)
    for project in (
        Project.objects.active()
        .only("pk", "title", "status", "start_date", "end_date", "municipality_id")
        .prefetch_related("theme_fields")
        .order_by("title", "pk")
    ):
        projects[project.municipality_id].append(project)
    return [InventoryGroup(m, projects[m.pk]) for m in Municipality.objects.all()]


@dataclass
class WorkshopRow:
    workshop: Workshop
    sessions: list[WorkshopSession]

    @property
    def first_day(self):
        return self.sessions[0].starts_at if self.sessions else None


def workshops_held(*, process_id: int) -> list[WorkshopRow]:
    """The workshops of the process marked as held, in the order they took place."""
    workshops = Workshop.objects.filter(
        process_id=process_id, status=Workshop.Status.HELD
    ).prefetch_related(
        Prefetch("sessions", queryset=WorkshopSession.objects.order_by("starts_at")),
        "theme_fields",
    )
    rows = [WorkshopRow(w, list(w.sessions.all())) for w in workshops]
    # Workshops without a session come last. A fixed latest moment, not "now in the year 9999":
    # that does not exist on 29 February.
    latest = datetime.max.replace(tzinfo=UTC)
    return sorted(rows, key=lambda r: (r.first_day or latest, r.workshop.title))


# --- The whole document ------------------------------------------------------------------------


@dataclass
class Chapter:
    number: int
    key: str
    title: str
    data: dict = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        return f"chapter-{self.number}"


@dataclass
class DocumentContent:
    """Everything the strategy PDF shows."""

    version: StrategyVersion
    purpose: str
    purpose_label: str
    generated_at: object
    process: dict
    chapters: list[Chapter]
    overview: SnapshotOverview
    roadmap_parts: list[SnapshotRoadmap]
    inventory: list[InventoryGroup]
    workshops: list[WorkshopRow]
    adoption_rows: list


# The status on the cover, in the document's language.
def cover_status(purpose: str) -> str:
    return {
        StrategyDocument.Purpose.DRAFT: _("Draft"),
        StrategyDocument.Purpose.COUNCIL_SUBMISSION: _("Council submission"),
        StrategyDocument.Purpose.ADOPTED: _("Adopted strategy"),
    }[purpose]


def _with_dates(row: dict) -> dict:
    """``row`` with its ISO dates as dates, for the German date format of the PDF."""
    return {
        **row,
        **{key: _date(row.get(key)) for key in ("start_date", "end_date", "due_on") if key in row},
    }


def _field_chapter(chapter: dict, profiled: dict[str, int], number: int) -> dict:
    """A theme field chapter with its markdown rendered and each measure's profile shown in
    the first chapter it belongs to (later chapters refer to it)."""
    measures = []
    for measure in chapter["measures"]:
        first = profiled.setdefault(measure["number"], number)
        measures.append(
            {
                **_with_dates(measure),
                "milestones": [_with_dates(m) for m in measure.get("milestones", [])],
                "profile_here": first == number,
                "profile_chapter": first,
            }
        )
    return {
        **chapter,
        "vision_html": markdown_in_chapter(chapter.get("vision", "")),
        "measures": measures,
        "measures_here": [m for m in measures if m["profile_here"]],
        "measures_elsewhere": [m for m in measures if not m["profile_here"]],
    }


def document_content(*, version: StrategyVersion, purpose: str) -> DocumentContent:
    """Read everything the PDF of ``version`` shows (a fixed number of queries)."""
    from .documents import adoption_status_rows

    snapshot = version.content
    chapters, profiled = [], {}
    for data in snapshot.get("chapters", []):
        number = len(chapters) + 1
        data = {**data}
        if "sections" in data:
            data["sections"] = [
                {**s, "body_html": markdown_in_chapter(s.get("body", ""))} for s in data["sections"]
            ]
        if data["key"] == "field":
            data = _field_chapter(data, profiled, number)
        elif data["key"] == "roadmap":
            data["measures"] = [_with_dates(m) for m in data["measures"]]
        chapters.append(Chapter(number=number, key=data["key"], title=data["title"], data=data))
    for key, title in (
        ("inventory", _("Annex: inventory of the municipalities")),
        ("workshops", _("Annex: workshops held")),
        ("adoption", _("Adoption status")),
    ):
        chapters.append(Chapter(number=len(chapters) + 1, key=key, title=title))
    introduction = next((c.data for c in chapters if c.key == "introduction"), {})
    return DocumentContent(
        version=version,
        purpose=purpose,
        purpose_label=cover_status(purpose),
        generated_at=timezone.now(),
        process=snapshot.get("process", {}),
        chapters=chapters,
        overview=process_overview_from(introduction),
        roadmap_parts=roadmap_parts(snapshot) if snapshot.get("chapters") else [],
        inventory=inventory_groups(),
        workshops=workshops_held(process_id=version.process_id),
        adoption_rows=adoption_status_rows(version),
    )
