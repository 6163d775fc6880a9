"""The final consolidation: the strategy text assembled chapter by chapter from its parts.

``strategy_assemble`` returns plain data (strings, numbers, ISO dates, lists, dicts) so that it
can be stored as the snapshot of a frozen ``StrategyVersion`` and rendered later (page, PDF)
without touching the live data again. Amounts are strings with two decimals, so no precision
is lost in JSON. Labels are taken in the document language (``settings.LANGUAGE_CODE``)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from strategy.models import Step, StrategyProcess

from .models import FieldPlan, Goal, Measure, TextSection

# Bump when the shape of the snapshot changes, so renderers can tell old snapshots apart.
CONTENT_SCHEMA = 1


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _section(section: TextSection) -> dict:
    return {
        "id": section.pk,
        "kind": section.kind,
        "title": section.title,
        "body": section.body,
        "version": section.version,
        "status": section.status,
        "status_label": section.get_status_display(),
        "agreed_at": _iso(section.agreed_at),
    }


def _target_value(target) -> dict:
    return {
        "indicator": target.indicator,
        "unit": target.unit,
        "baseline_value": _amount(target.baseline_value),
        "baseline_year": target.baseline_year,
        "target_value": _amount(target.target_value),
        "target_year": target.target_year,
        "data_source": target.data_source,
        "responsible_body": target.responsible_body,
        "interval": target.interval,
        "interval_label": target.get_interval_display(),
    }


def _goal(goal: Goal, children: list[Goal]) -> dict:
    return {
        "id": goal.pk,
        "kind": goal.kind,
        "title": goal.title,
        "description": goal.description,
        "target_values": [_target_value(t) for t in goal.target_values.all()],
        "operative_goals": [_goal(child, []) for child in children],
    }


def _measure(measure: Measure) -> dict:
    return {
        "id": measure.pk,
        "number": measure.number,
        "title": measure.title,
        "description": measure.description,
        "status": measure.status,
        "status_label": measure.get_status_display(),
        "priority": measure.priority,
        "priority_label": measure.get_priority_display(),
        "start_date": _iso(measure.start_date),
        "end_date": _iso(measure.end_date),
        "lead_organisation": measure.lead_organisation,
        "theme_fields": [field.name for field in measure.theme_fields.all()],
        "municipalities": [m.name for m in measure.municipalities.all()],
        "investment_cost": _amount(measure.investment_cost),
        "running_cost_per_year": _amount(measure.running_cost_per_year),
        "funding_programme": measure.funding_programme.name if measure.funding_programme else None,
        "grant_rate": _amount(measure.grant_rate),
        "possible_grant": _amount(measure.possible_grant),
        "own_share": _amount(measure.own_share),
        "milestones": [
            {"title": m.title, "due_on": _iso(m.due_on), "done": m.done}
            for m in measure.milestones.all()
        ],
        "depends_on": [other.number for other in measure.depends_on.all()],
    }


def _introduction(process: StrategyProcess, sections: list[TextSection]) -> dict:
    phases = process.phases.order_by("position").prefetch_related(
        Prefetch("steps", queryset=Step.objects.order_by("position"))
    )
    return {
        "key": "introduction",
        "title": _("Introduction and process"),
        "process": {
            "title": process.title,
            "year": process.year,
            "description": process.description,
        },
        "phases": [
            {
                "key": phase.key,
                "name": phase.name,
                "status": (status := phase.status_from(steps := list(phase.steps.all()))),
                "status_label": str(Step.Status(status).label),
                "planned_start": _iso(phase.planned_start),
                "planned_end": _iso(phase.planned_end),
                "steps": [
                    {
                        "title": step.title,
                        "short_title": step.short_title,
                        "status": step.status,
                        "status_label": step.get_status_display(),
                        "planned_start": _iso(step.planned_start),
                        "planned_end": _iso(step.planned_end),
                    }
                    for step in steps
                ],
            }
            for phase in phases
        ],
        "sections": [_section(s) for s in sections if s.kind == TextSection.Kind.CHAPTER],
    }


def _field_chapters(process: StrategyProcess, measures: list[Measure]) -> list[dict]:
    plans = list(
        FieldPlan.objects.filter(process=process)
        .select_related("theme_field")
        .order_by("rank", "theme_field__position", "pk")
    )
    goals = Goal.objects.filter(field_plan__process=process).prefetch_related("target_values")
    top_goals, children = defaultdict(list), defaultdict(list)
    for goal in goals.order_by("position", "pk"):
        if goal.parent_id:
            children[goal.parent_id].append(goal)
        else:
            top_goals[goal.field_plan_id].append(goal)
    measures_by_field = defaultdict(list)
    for measure in measures:
        for field in measure.theme_fields.all():
            measures_by_field[field.pk].append(measure)
    chapters = []
    for plan in plans:
        ordered = sorted(top_goals[plan.pk], key=lambda g: (g.kind != Goal.Kind.STRATEGIC,))
        chapters.append(
            {
                "key": "field",
                "title": plan.theme_field.name,
                "theme_field": plan.theme_field.name,
                "tier": plan.tier,
                "tier_label": plan.get_tier_display() if plan.tier else "",
                "rank": plan.rank,
                "rationale": plan.rationale,
                "vision": plan.vision,
                "goals": [_goal(goal, children[goal.pk]) for goal in ordered],
                "measures": [_measure(m) for m in measures_by_field[plan.theme_field_id]],
            }
        )
    return chapters


def _roadmap(measures: list[Measure]) -> dict:
    ordered = sorted(
        measures,
        key=lambda m: (m.start_date or date.max, m.number),
    )
    return {
        "key": "roadmap",
        "title": _("Roadmap"),
        "measures": [
            {
                "number": m.number,
                "title": m.title,
                "start_date": _iso(m.start_date),
                "end_date": _iso(m.end_date),
                "priority": m.priority,
                "priority_label": m.get_priority_display(),
                "status_label": m.get_status_display(),
            }
            for m in ordered
        ],
    }


def _funding(measures: list[Measure]) -> dict:
    groups: dict[str | None, list[Measure]] = defaultdict(list)
    for measure in measures:
        groups[measure.funding_programme.name if measure.funding_programme else None].append(
            measure
        )

    def total(items, attribute):
        values = [getattr(m, attribute) for m in items if getattr(m, attribute) is not None]
        return _amount(sum(values, Decimal("0")))

    programmes = []
    for name in sorted(groups, key=lambda n: (n is None, n or "")):
        items = groups[name]
        programme = items[0].funding_programme
        programmes.append(
            {
                "programme": name,
                "level": programme.get_level_display() if programme else "",
                "measures": [
                    {
                        "number": m.number,
                        "title": m.title,
                        "investment_cost": _amount(m.investment_cost),
                        "grant_rate": _amount(m.grant_rate),
                        "possible_grant": _amount(m.possible_grant),
                        "own_share": _amount(m.own_share),
                    }
                    for m in items
                ],
                "investment_total": total(items, "investment_cost"),
                "grant_total": total(items, "possible_grant"),
                "own_share_total": total(items, "own_share"),
            }
        )
    return {
        "key": "funding",
        "title": _("Funding"),
        "programmes": programmes,
        "investment_total": total(measures, "investment_cost"),
        "grant_total": total(measures, "possible_grant"),
        "own_share_total": total(measures, "own_share"),
    }


def strategy_assemble(process: StrategyProcess) -> dict:
    """The whole strategy of ``process`` as plain, JSON-serialisable data, chapter by chapter:
    introduction and process, vision and values, guiding principles, one chapter per theme
    field, roadmap and funding. Dropped measures are left out. A fixed number of queries."""
    with translation.override(settings.LANGUAGE_CODE):
        sections = list(
            TextSection.objects.filter(process=process).order_by("kind", "position", "pk")
        )
        measures = list(
            Measure.objects.filter(process=process)
            .exclude(status=Measure.Status.DROPPED)
            .select_related("funding_programme")
            .prefetch_related("theme_fields", "municipalities", "milestones", "depends_on")
            .order_by("number")
        )

        def of_kind(*kinds):
            return [_section(s) for s in sections if s.kind in kinds]

        chapters = [
            _introduction(process, sections),
            {
                "key": "vision",
                "title": _("Vision and values"),
                "sections": of_kind(TextSection.Kind.VISION) + of_kind(TextSection.Kind.VALUES),
            },
            {
                "key": "principles",
                "title": _("Guiding principles"),
                "sections": of_kind(TextSection.Kind.PRINCIPLE),
            },
            *_field_chapters(process, measures),
            _roadmap(measures),
            _funding(measures),
        ]
        return {
            "schema": CONTENT_SCHEMA,
            "process": {"id": process.pk, "title": process.title, "year": process.year},
            "assembled_at": timezone.now().isoformat(),
            "chapters": chapters,
        }
