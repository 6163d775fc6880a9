"""Reads of the adoption phase: the overview of the twelve bodies and their status, the
completion of the phase (also for the dashboard), and what the public may see."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from strategy.models import StrategyProcess

from .models import (
    AdoptionPublication,
    ConferenceRecommendation,
    ConsultationStep,
    Council,
    CouncilPaperRender,
)

# The twelve bodies that adopt: the Kreistag and the eleven councils.
BODY_COUNT = 12


@dataclass
class AdoptionOverview:
    """The bodies of an edition with their status, read in a fixed number of queries."""

    process: StrategyProcess
    councils: list[Council]
    conference: ConferenceRecommendation | None
    publication: AdoptionPublication | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def decided(self) -> int:
        return sum(1 for council in self.councils if council.has_decided)

    @property
    def adopted(self) -> int:
        return sum(
            1
            for council in self.councils
            if council.result in (Council.Result.ADOPTED, Council.Result.ADOPTED_WITH_CHANGES)
        )

    @property
    def total(self) -> int:
        return max(len(self.councils), BODY_COUNT)

    @property
    def result_rows(self) -> list[tuple[str, str, int]]:
        """``(result, label, number of bodies)`` for every possible result."""
        return [(value, label, self.counts[value]) for value, label in Council.Result.choices]

    @property
    def complete(self) -> bool:
        """The adoption phase is complete once all twelve bodies have decided (adopted,
        adopted with changes or rejected; postponed is not a decision)."""
        return len(self.councils) >= BODY_COUNT and self.decided == len(self.councils)


def adoption_overview(*, process: StrategyProcess) -> AdoptionOverview:
    """The twelve bodies with their consultation steps and newest finished paper PDF (four
    queries whatever the data: councils, steps, paper PDFs, conference + publication)."""
    councils = list(
        Council.objects.filter(process=process)
        .select_related("municipality")
        .prefetch_related(
            Prefetch("steps", queryset=ConsultationStep.objects.order_by("meeting_date", "pk")),
            Prefetch(
                "paper_renders",
                queryset=CouncilPaperRender.objects.filter(
                    status=CouncilPaperRender.Status.DONE
                ).order_by("-finished_at", "-pk"),
                to_attr="finished_papers",
            ),
        )
    )
    conference = (
        ConferenceRecommendation.objects.filter(process=process).select_related("version").first()
    )
    publication = AdoptionPublication.objects.filter(process=process).first()
    counts = dict.fromkeys(Council.Result.values, 0)
    for council in councils:
        counts[council.result] += 1
    return AdoptionOverview(
        process=process,
        councils=councils,
        conference=conference,
        publication=publication,
        counts=counts,
    )


@dataclass
class AdoptionStatus:
    """What the dashboard says about the adoption phase."""

    decided: int
    adopted: int
    total: int
    complete: bool
    published: bool


def adoption_status(*, process: StrategyProcess) -> AdoptionStatus:
    """How many bodies have decided, and whether the phase is complete (two queries)."""
    results = list(Council.objects.filter(process=process).values_list("result", flat=True))
    decided = sum(1 for result in results if result in Council.DECIDED)
    adopted = sum(
        1
        for result in results
        if result in (Council.Result.ADOPTED, Council.Result.ADOPTED_WITH_CHANGES)
    )
    return AdoptionStatus(
        decided=decided,
        adopted=adopted,
        total=max(len(results), BODY_COUNT),
        complete=len(results) >= BODY_COUNT and decided == len(results),
        published=AdoptionPublication.objects.filter(process=process).exists(),
    )


def publication_current() -> AdoptionPublication | None:
    """The newest publication of an adopted strategy (the public page shows it), or None."""
    return (
        AdoptionPublication.objects.select_related("process", "document__version")
        .order_by("-published_at", "-pk")
        .first()
    )


def council_paper_latest(*, council: Council) -> CouncilPaperRender | None:
    """The newest finished PDF of a council's draft paper, if any."""
    return (
        CouncilPaperRender.objects.filter(council=council, status=CouncilPaperRender.Status.DONE)
        .exclude(file="")
        .order_by("-finished_at", "-pk")
        .first()
    )
