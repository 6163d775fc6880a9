"""Large demo data of the elaboration for benchmarks: hundreds of measures over all theme
fields with dates, priorities, funding programmes, municipalities, milestones and (acyclic)
dependencies, plus the field plans, goals and target values they refer to. Deterministic: the
same call gives the same data."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from strategy.models import FundingProgramme, Municipality, StrategyProcess, ThemeField

from .models import FieldPlan, Goal, Measure, Milestone, TargetValue

TITLE_WORDS = [
    ("Digitales", "Bürgerportal"),
    ("Smarte", "Parkraumsteuerung"),
    ("Gemeinsame", "Open-Data-Plattform"),
    ("Kreisweites", "Glasfaser-Monitoring"),
    ("Digitale", "Schulverwaltung"),
    ("Vernetzte", "Pflegeberatung"),
    ("Mobile", "Verwaltungssprechstunde"),
    ("Digitaler", "Zwilling Innenstadt"),
    ("Interkommunales", "Rechenzentrum"),
    ("Sensorgestütztes", "Hochwasserwarnsystem"),
    ("Digitale", "Ehrenamtsbörse"),
    ("Telemedizinisches", "Netzwerk"),
]
STATUSES = [choice for choice, _label in Measure.Status.choices]
PRIORITIES = [choice for choice, _label in Measure.Priority.choices]


@transaction.atomic
def measures_large_create(process: StrategyProcess, *, count: int = 300, goals: int = 100) -> int:
    """Create ``count`` measures (numbers B-0001, … after the existing ones) and ``goals`` goals
    with one target value each in ``process``; return the number of measures created."""
    rng = random.Random(20270101 + count)
    fields = list(ThemeField.objects.order_by("position", "pk"))
    municipalities = list(Municipality.objects.all())
    programmes = list(FundingProgramme.objects.all())
    if not fields:
        return 0

    existing_plans = {plan.theme_field_id: plan for plan in process.field_plans.all()}
    FieldPlan.objects.bulk_create(
        FieldPlan(process=process, theme_field=field, rank=index + 1)
        for index, field in enumerate(fields)
        if field.pk not in existing_plans
    )
    plans = list(process.field_plans.order_by("theme_field__position", "pk"))

    offset = Goal.objects.filter(field_plan__process=process).count()
    new_goals = Goal.objects.bulk_create(
        Goal(
            field_plan=plans[index % len(plans)],
            kind=Goal.Kind.STRATEGIC,
            title=f"Ziel {offset + index + 1}: {plans[index % len(plans)].theme_field.name}",
            position=index,
        )
        for index in range(goals)
    )
    new_values = TargetValue.objects.bulk_create(
        TargetValue(
            goal=goal,
            indicator=f"Kennzahl zu {goal.title}",
            unit="%",
            baseline_value=Decimal(rng.randint(0, 40)),
            baseline_year=2026,
            target_value=Decimal(rng.randint(50, 100)),
            target_year=2030,
        )
        for goal in new_goals
    )

    start_number = Measure.objects.filter(process=process, number__startswith="B-").count()
    measures = []
    for index in range(count):
        adjective, noun = TITLE_WORDS[index % len(TITLE_WORDS)]
        start = date(2027, 1, 1) + timedelta(days=rng.randint(0, 4 * 365))
        end = start + timedelta(days=rng.randint(90, 3 * 365))
        investment = Decimal(rng.randint(1, 400) * 2500)
        programme = rng.choice(programmes) if programmes and rng.random() < 0.7 else None
        measures.append(
            Measure(
                process=process,
                number=f"B-{start_number + index + 1:04d}",
                title=f"{adjective} {noun} {start_number + index + 1}",
                description="Eine Maßnahme der Demodaten für Lasttests.",
                target_group="Bürgerinnen und Bürger",
                lead_organisation="Kreis Coesfeld",
                investment_cost=investment,
                running_cost_per_year=Decimal(rng.randint(0, 50) * 1000),
                funding_programme=programme,
                grant_rate=Decimal(rng.choice([50, 60, 70, 80, 90])) if programme else None,
                start_date=start,
                end_date=end,
                status=rng.choice(STATUSES),
                priority=rng.choice(PRIORITIES),
            )
        )
    measures = Measure.objects.bulk_create(measures)

    through_fields = Measure.theme_fields.through
    through_municipalities = Measure.municipalities.through
    through_goals = Measure.goals.through
    through_values = Measure.target_values.through
    through_depends = Measure.depends_on.through
    field_links, municipality_links, goal_links, value_links, dependency_links = [], [], [], [], []
    milestones = []
    for index, measure in enumerate(measures):
        for field in {fields[index % len(fields)], rng.choice(fields)}:
            field_links.append(through_fields(measure_id=measure.pk, themefield_id=field.pk))
        if rng.random() < 0.8:
            for municipality in rng.sample(municipalities, rng.randint(1, 4)):
                municipality_links.append(
                    through_municipalities(measure_id=measure.pk, municipality_id=municipality.pk)
                )
        if new_goals:
            goal_index = rng.randrange(len(new_goals))
            goal_links.append(
                through_goals(measure_id=measure.pk, goal_id=new_goals[goal_index].pk)
            )
            value_links.append(
                through_values(measure_id=measure.pk, targetvalue_id=new_values[goal_index].pk)
            )
        # Only on earlier measures, so the dependencies can never form a cycle.
        if index and rng.random() < 0.25:
            for earlier in {rng.randrange(index) for _ in range(rng.randint(1, 2))}:
                dependency_links.append(
                    through_depends(from_measure_id=measure.pk, to_measure_id=measures[earlier].pk)
                )
        span = (measure.end_date - measure.start_date).days
        for step in range(rng.randint(0, 3)):
            milestones.append(
                Milestone(
                    measure=measure,
                    title=f"Meilenstein {step + 1}",
                    due_on=measure.start_date + timedelta(days=rng.randint(0, span)),
                    done=rng.random() < 0.2,
                )
            )
    through_fields.objects.bulk_create(field_links)
    through_municipalities.objects.bulk_create(municipality_links)
    through_goals.objects.bulk_create(goal_links)
    through_values.objects.bulk_create(value_links)
    through_depends.objects.bulk_create(dependency_links)
    Milestone.objects.bulk_create(milestones)
    return len(measures)
