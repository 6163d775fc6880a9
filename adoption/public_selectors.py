"""What the public page shows: the published strategy version (its frozen content), the
roadmap of that version as a timeline, and the adoption status of the twelve bodies.

The timeline is laid out by ``roadmaps.gantt`` from the frozen version, not from the live
measures: the public sees exactly what was adopted, nothing edited since."""

from dataclasses import dataclass
from datetime import date

from roadmaps.measure_selectors import (
    DependencyWarning,
    Roadmap,
    RoadmapMeasure,
    RoadmapMilestone,
    starts_too_early,
)

from .decision_selectors import AdoptionOverview, adoption_overview, publication_current
from .models import AdoptionPublication


def _day(value) -> date | None:
    return date.fromisoformat(value) if value else None


def frozen_roadmap(content: dict) -> Roadmap:
    """The roadmap of a frozen version's content, for ``roadmaps.gantt.gantt_layout``."""
    chapters = content.get("chapters", [])
    details = {
        measure["number"]: measure
        for chapter in chapters
        if chapter.get("key") == "field"
        for measure in chapter.get("measures", [])
    }
    roadmap = next((c for c in chapters if c.get("key") == "roadmap"), {"measures": []})
    measures = []
    for index, item in enumerate(roadmap.get("measures", []), start=1):
        detail = details.get(item["number"], {})
        measures.append(
            RoadmapMeasure(
                pk=index,
                number=item["number"],
                title=item["title"],
                start_date=_day(item.get("start_date")),
                end_date=_day(item.get("end_date")),
                priority=item.get("priority", ""),
                status=item.get("status", ""),
                milestones=[
                    RoadmapMilestone(m["title"], _day(m["due_on"]), m.get("done", False))
                    for m in detail.get("milestones", [])
                    if m.get("due_on")
                ],
            )
        )
    by_number = {measure.number: measure for measure in measures}
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


@dataclass
class PublicStrategy:
    publication: AdoptionPublication
    content: dict
    roadmap: Roadmap
    overview: AdoptionOverview

    @property
    def version(self):
        return self.publication.document.version


def public_strategy_content() -> PublicStrategy | None:
    """The published strategy, or None while nothing is published."""
    publication = publication_current()
    if publication is None:
        return None
    content = publication.document.version.content or {}
    return PublicStrategy(
        publication=publication,
        content=content,
        roadmap=frozen_roadmap(content),
        overview=adoption_overview(process=publication.process),
    )
