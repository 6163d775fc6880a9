"""What the public page shows: the published strategy version (its frozen content), the
roadmap of that version as a timeline, and the adoption status of the twelve bodies.

The timeline is laid out by ``roadmaps.gantt`` from the frozen version, not from the live
measures: the public sees exactly what was adopted, nothing edited since."""

from dataclasses import dataclass

from roadmaps.measure_selectors import Roadmap

from .decision_selectors import AdoptionOverview, adoption_overview, publication_current
from .document_content import snapshot_roadmap
from .models import AdoptionPublication


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
        roadmap=snapshot_roadmap(content),
        overview=adoption_overview(process=publication.process),
    )
