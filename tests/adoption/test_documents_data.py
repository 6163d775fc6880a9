"""Content for the strategy document tests: a small strategy over every theme field, one
project per participant, a held workshop, frozen as a version (no tests in this module)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from roadmaps.models import FieldPlan, Goal, Measure, Milestone, TargetValue, TextSection
from roadmaps.section_services import strategy_version_freeze
from strategy.models import FundingProgramme, Municipality, ThemeField
from tests.factories import ProjectFactory
from workshops.models import Workshop, WorkshopSession

Kind = TextSection.Kind


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(personas):
    return personas["district_staff"]


def strategy_content_create(process, *, user, measures_per_field: int = 1) -> None:
    """Texts, a field plan with goal, target value and measures for every theme field, one
    active project per participant and a held workshop."""
    for kind, title, body in (
        (Kind.VISION, "Leitbild", "Der Kreis Coesfeld ist eine **vernetzte** Smart Region."),
        (Kind.VALUES, "Werte", "Offenheit, Teilhabe und Datensouveränität."),
        (Kind.PRINCIPLE, "Digital zuerst", "Verwaltungsleistungen werden digital gedacht."),
        (Kind.CHAPTER, "Ausgangslage", "## Warum eine Strategie?\nWeil es Zeit ist."),
    ):
        TextSection.objects.create(process=process, kind=kind, title=title, body=body)
    programme = FundingProgramme.objects.order_by("name").first()
    for index, field in enumerate(ThemeField.objects.order_by("position", "pk")):
        plan = FieldPlan.objects.create(
            process=process,
            theme_field=field,
            tier="I" if index < 3 else "II",
            rank=index + 1,
            rationale=f"Begründung für {field.name}",
            vision=f"Feldvision {field.name}: Menschen profitieren unmittelbar.",
        )
        goal = Goal.objects.create(field_plan=plan, kind="strategic", title=f"Ziel {field.name}")
        TargetValue.objects.create(
            goal=goal,
            indicator=f"Indikator {index + 1}",
            unit="%",
            baseline_value=Decimal("12.5"),
            baseline_year=2025,
            target_value=Decimal("80"),
            target_year=2030,
            data_source="Kreisstatistik",
        )
        for n in range(measures_per_field):
            start = date(2027, 1 + (index % 12), 1) + timedelta(days=30 * n)
            measure = Measure.objects.create(
                process=process,
                number=f"M-{index + 1:02d}-{n + 1:02d}",
                title=f"Maßnahme {n + 1} im Feld {field.name}",
                description="Eine Beschreibung der Maßnahme mit Nutzen und Vorgehen. " * 3,
                start_date=start,
                end_date=start + timedelta(days=400),
                priority=("high", "medium", "low")[n % 3],
                investment_cost=Decimal("125000.50"),
                grant_rate=Decimal("80"),
                funding_programme=programme,
                lead_organisation="Kreis Coesfeld, Stabsstelle Digitalisierung",
            )
            measure.theme_fields.set([field])
            measure.goals.set([goal])
            Milestone.objects.create(
                measure=measure, title="Ausschreibung", due_on=start + timedelta(days=90)
            )
    for municipality in Municipality.objects.all():
        ProjectFactory(municipality=municipality, title=f"Digitales Projekt in {municipality.name}")
    step = process.phases.order_by("position").first().steps.order_by("position").first()
    workshop = Workshop.objects.create(
        process=process,
        step=step,
        kind="kickoff",
        title="Auftaktworkshop im Kreishaus",
        location="Kreishaus Coesfeld",
        status=Workshop.Status.HELD,
    )
    WorkshopSession.objects.create(
        workshop=workshop, starts_at=timezone.now() - timedelta(days=30), duration_minutes=180
    )


def version_create(process, *, user, measures_per_field: int = 1):
    strategy_content_create(process, user=user, measures_per_field=measures_per_field)
    return strategy_version_freeze(
        process=process, note="Für die Bürgermeisterkonferenz", user=user
    )


@pytest.fixture
def version(process, staff):
    return version_create(process, user=staff)
