"""Copying the elaborated content of one edition into a new edition (Fortschreibung).

What is copied, and why:

- Text sections with their current title and text, as version 1 of the new edition and as a
  draft: the history and the agreement belong to the old edition, which stays readable.
  Comments are not copied (they were about the old wording).
- Field plans (tier, rank, rationale, field vision), goals with their hierarchy, target values,
  measures with milestones, theme fields, municipalities, goals, target values and
  dependencies; every link between copied objects points to the copy.
- Of the measurements of a target value only the latest is copied: it is where monitoring of
  the new edition starts, so its progress display is not empty; the full series stays with
  the old edition, which is read-only, so nothing is lost and nothing is kept twice.
- Links that say where something came from (the dot vote a priority was taken from, the
  workshop result, inventory project or synergy a measure came from) keep pointing to the
  original: they are provenance, and workshops and the inventory are not copied.
- Frozen strategy versions are not copied: they are snapshots of the old edition.

Everything is created with bulk inserts, so the number of queries does not grow with the
amount of content."""

from django.db import transaction
from django.db.models import OuterRef, Subquery

from strategy.models import StrategyProcess

from .models import (
    FieldPlan,
    Goal,
    Measure,
    Measurement,
    Milestone,
    SectionStatus,
    SectionVersion,
    TargetValue,
    TextSection,
)

TARGET_COPY_FIELDS = (
    "indicator",
    "unit",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_year",
    "data_source",
    "responsible_body",
    "interval",
)
MEASURE_COPY_FIELDS = (
    "number",
    "title",
    "description",
    "target_group",
    "expected_benefit",
    "lead_organisation",
    "partners",
    "investment_cost",
    "running_cost_per_year",
    "funding_programme_id",
    "grant_rate",
    "start_date",
    "end_date",
    "status",
    "priority",
    "origin",
    "origin_result_id",
    "origin_project_id",
    "origin_synergy_id",
)


def _copy_sections(source: StrategyProcess, target: StrategyProcess, user) -> int:
    sections = list(TextSection.objects.filter(process=source).order_by("kind", "position", "pk"))
    copies = TextSection.objects.bulk_create(
        TextSection(
            process=target,
            kind=s.kind,
            title=s.title,
            position=s.position,
            body=s.body,
            version=1,
            status=SectionStatus.DRAFT,
            updated_by=user,
        )
        for s in sections
    )
    SectionVersion.objects.bulk_create(
        SectionVersion(section=c, number=1, title=c.title, body=c.body, author=user) for c in copies
    )
    return len(copies)


def _copy_fields(source: StrategyProcess, target: StrategyProcess) -> tuple[dict, dict, dict]:
    """Field plans, goals, target values and each target value's latest measurement; returns
    the maps old pk → copy for field plans, goals and target values."""
    plans = list(FieldPlan.objects.filter(process=source).order_by("pk"))
    plan_copies = FieldPlan.objects.bulk_create(
        FieldPlan(
            process=target,
            theme_field_id=p.theme_field_id,
            tier=p.tier,
            rank=p.rank,
            rationale=p.rationale,
            vision=p.vision,
            priority_source_id=p.priority_source_id,
        )
        for p in plans
    )
    plan_map = {old.pk: new for old, new in zip(plans, plan_copies, strict=True)}

    goals = list(Goal.objects.filter(field_plan__process=source).order_by("pk"))
    # Strategic goals first, so operative goals can point to their parent's copy.
    goal_map: dict[int, Goal] = {}
    for layer in (
        [g for g in goals if g.parent_id is None],
        [g for g in goals if g.parent_id is not None],
    ):
        copies = Goal.objects.bulk_create(
            Goal(
                field_plan=plan_map[g.field_plan_id],
                kind=g.kind,
                parent=goal_map.get(g.parent_id),
                title=g.title,
                description=g.description,
                position=g.position,
            )
            for g in layer
        )
        goal_map.update({old.pk: new for old, new in zip(layer, copies, strict=True)})

    targets = list(TargetValue.objects.filter(goal__field_plan__process=source).order_by("pk"))
    target_copies = TargetValue.objects.bulk_create(
        TargetValue(
            goal=goal_map[t.goal_id], **{name: getattr(t, name) for name in TARGET_COPY_FIELDS}
        )
        for t in targets
    )
    target_map = {old.pk: new for old, new in zip(targets, target_copies, strict=True)}

    latest = Measurement.objects.filter(target_value=OuterRef("target_value")).order_by(
        "-measured_on", "-pk"
    )
    measurements = Measurement.objects.filter(
        target_value__goal__field_plan__process=source,
        pk=Subquery(latest.values("pk")[:1]),
    )
    Measurement.objects.bulk_create(
        Measurement(
            target_value=target_map[m.target_value_id],
            measured_on=m.measured_on,
            value=m.value,
            note=m.note,
            recorded_by_id=m.recorded_by_id,
        )
        for m in measurements
    )
    return plan_map, goal_map, target_map


def _copy_measures(
    source: StrategyProcess, target: StrategyProcess, goal_map: dict, target_map: dict
) -> int:
    measures = list(Measure.objects.filter(process=source).order_by("pk"))
    copies = Measure.objects.bulk_create(
        Measure(process=target, **{name: getattr(m, name) for name in MEASURE_COPY_FIELDS})
        for m in measures
    )
    measure_map = {old.pk: new for old, new in zip(measures, copies, strict=True)}
    old_ids = list(measure_map)

    def copy_links(relation, column: str, remap) -> None:
        through = relation.through
        rows = through.objects.filter(measure_id__in=old_ids).values_list("measure_id", column)
        links = [
            through(measure_id=measure_map[old].pk, **{column: remap(other)})
            for old, other in rows
            if remap(other) is not None
        ]
        through.objects.bulk_create(links)

    copy_links(Measure.theme_fields, "themefield_id", lambda pk: pk)
    copy_links(Measure.municipalities, "municipality_id", lambda pk: pk)
    # Goals and target values of other editions cannot be linked; the source has none.
    copy_links(Measure.goals, "goal_id", lambda pk: goal_map[pk].pk if pk in goal_map else None)
    copy_links(
        Measure.target_values,
        "targetvalue_id",
        lambda pk: target_map[pk].pk if pk in target_map else None,
    )
    through = Measure.depends_on.through
    dependencies = through.objects.filter(from_measure_id__in=old_ids).values_list(
        "from_measure_id", "to_measure_id"
    )
    through.objects.bulk_create(
        through(from_measure_id=measure_map[a].pk, to_measure_id=measure_map[b].pk)
        for a, b in dependencies
        if b in measure_map
    )
    Milestone.objects.bulk_create(
        Milestone(measure=measure_map[m.measure_id], title=m.title, due_on=m.due_on, done=m.done)
        for m in Milestone.objects.filter(measure_id__in=old_ids).order_by("pk")
    )
    return len(copies)


@transaction.atomic
def edition_content_copy(
    *, source: StrategyProcess, target: StrategyProcess, user
) -> dict[str, int]:
    """Copy the elaborated content of ``source`` into the new edition ``target`` (see the
    module docstring for what is copied); returns how many objects of each kind were copied."""
    sections = _copy_sections(source, target, user)
    plan_map, goal_map, target_map = _copy_fields(source, target)
    measures = _copy_measures(source, target, goal_map, target_map)
    return {
        "sections": sections,
        "field_plans": len(plan_map),
        "goals": len(goal_map),
        "target_values": len(target_map),
        "measures": measures,
    }
