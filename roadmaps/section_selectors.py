"""Reads of the strategy texts and frozen versions, shaped for their pages, each in a fixed
number of queries."""

from dataclasses import dataclass

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch

from strategy.models import StrategyProcess
from workshops.models import PromotedResult

from .models import SectionComment, SectionVersion, StrategyVersion, TextSection

KIND_ORDER = [
    TextSection.Kind.VISION,
    TextSection.Kind.VALUES,
    TextSection.Kind.PRINCIPLE,
    TextSection.Kind.CHAPTER,
]


def vision_statements(*, process: StrategyProcess):
    """Draft statements for the vision promoted from the workshops of ``process``."""
    return PromotedResult.objects.filter(
        kind=PromotedResult.Kind.VISION_STATEMENT,
        activity__session__workshop__process=process,
    ).select_related("activity__session__workshop")


def workshop_url(workshop) -> str:
    """The workshop's page, or "" while the workshop pages are not installed."""
    if workshop is None:
        return ""
    try:
        return workshop.get_absolute_url()
    except NoReverseMatch:
        return ""


def _with_workshop_urls(sections):
    for section in sections:
        section.discussed_in_url = workshop_url(section.discussed_in)
    return sections


@dataclass
class KindGroup:
    kind: str
    label: str
    sections: list[TextSection]


def sections_overview(*, process: StrategyProcess) -> list[KindGroup]:
    """The sections of ``process`` grouped by kind (vision, values, principles, chapters), with
    who changed them last, the workshop they were discussed in and their comment count."""
    sections = list(
        TextSection.objects.filter(process=process)
        .select_related("updated_by", "agreed_by", "discussed_in")
        .annotate(comment_count=Count("comments"))
        .order_by("position", "pk")
    )
    _with_workshop_urls(sections)
    return [
        KindGroup(
            kind=kind,
            label=TextSection.Kind(kind).label,
            sections=[s for s in sections if s.kind == kind],
        )
        for kind in KIND_ORDER
    ]


def section_get(*, pk: int) -> TextSection:
    section = get_object_or_404(
        TextSection.objects.select_related("process", "updated_by", "agreed_by", "discussed_in"),
        pk=pk,
    )
    return _with_workshop_urls([section])[0]


def section_page(*, section: TextSection) -> dict:
    """Comments with their authors and, for the vision, the draft statements from workshops."""
    comments = list(
        SectionComment.objects.filter(section=section)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    statements = (
        list(vision_statements(process=section.process).order_by("rank", "pk"))
        if section.kind == TextSection.Kind.VISION
        else []
    )
    for statement in statements:
        statement.workshop = statement.activity.session.workshop
        statement.workshop_url = workshop_url(statement.workshop)
    return {"comments": comments, "statements": statements}


def section_versions(*, section: TextSection) -> list[SectionVersion]:
    return list(section.versions.select_related("author").order_by("-number"))


def strategy_versions(*, process: StrategyProcess | None) -> list[StrategyVersion]:
    if process is None:
        return []
    return list(
        StrategyVersion.objects.filter(process=process)
        .select_related("created_by")
        .defer("content")
        .order_by("-number")
    )
