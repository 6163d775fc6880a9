"""The differences between two editions of the strategy ("Fassungen vergleichen").

An update copies the content without keeping a link to the original objects, so objects are
matched by what identifies them in the domain: a text section by kind and title (a retitled
section by kind and position), a field plan by its theme field, a goal by theme field and
title, a target value by theme field, goal and indicator, a measure by its number. Anything
unmatched counts as removed (only in the older edition) or added (only in the newer one);
matched objects list each changed value as old → new. Texts of sections are compared line
by line and word by word (``roadmaps.diff``).

The number of queries is fixed (a handful per edition), however much content there is."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import formats
from django.utils.translation import gettext as _

from strategy.models import StrategyProcess

from .diff import TextDiff, text_diff
from .models import FieldPlan, Goal, Measure, Milestone, TargetValue, TextSection

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass
class ValueChange:
    """One value that differs: its label and how it reads in the older and newer edition."""

    label: str
    old: str
    new: str


@dataclass
class ItemDiff:
    """An object that was added, removed or changed. ``context`` says where it sits (theme
    field, goal); ``changes`` lists the changed values, or all values of an added or removed
    object."""

    kind: str
    label: str
    context: str = ""
    changes: list[ValueChange] = field(default_factory=list)


@dataclass
class SectionDiff:
    kind: str
    label: str
    old_title: str = ""
    new_title: str = ""
    text: TextDiff | None = None


@dataclass
class EditionComparison:
    old: StrategyProcess
    new: StrategyProcess
    sections: list[SectionDiff]
    field_plans: list[ItemDiff]
    goals: list[ItemDiff]
    target_values: list[ItemDiff]
    measures: list[ItemDiff]

    @property
    def groups(self) -> list[tuple[str, str, list[ItemDiff]]]:
        """The structured parts, as (id, heading, differences), in reading order."""
        return [
            ("fields", _("Theme fields"), self.field_plans),
            ("goals", _("Goals"), self.goals),
            ("targets", _("Target values"), self.target_values),
            ("measures", _("Measures"), self.measures),
        ]

    @property
    def has_differences(self) -> bool:
        return bool(
            self.sections or self.field_plans or self.goals or self.target_values or self.measures
        )


def _display(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal | date | int):
        return str(formats.localize(value))
    return str(value)


def _snapshot(obj, names: tuple[str, ...]) -> dict[str, str]:
    """Label → displayed value of the named model fields (choices shown by their label)."""
    values = {}
    for name in names:
        model_field = obj._meta.get_field(name)
        value = getattr(obj, name)
        if model_field.choices and value:
            value = getattr(obj, f"get_{name}_display")()
        values[str(model_field.verbose_name)] = _display(value)
    return values


def _compare(old_items: dict, new_items: dict, describe) -> list[ItemDiff]:
    """Compare two dicts key → object; ``describe(obj)`` gives (label, context, snapshot)."""
    result = []
    for key, new in new_items.items():
        label, context, new_values = describe(new)
        old = old_items.get(key)
        if old is None:
            changes = [ValueChange(k, "–", v) for k, v in new_values.items() if v != "–"]
            result.append(ItemDiff(ADDED, label, context, changes))
            continue
        old_values = describe(old)[2]
        changes = [
            ValueChange(k, old_values.get(k, "–"), v)
            for k, v in new_values.items()
            if old_values.get(k, "–") != v
        ]
        if changes:
            result.append(ItemDiff(CHANGED, label, context, changes))
    for key, old in old_items.items():
        if key not in new_items:
            label, context, old_values = describe(old)
            changes = [ValueChange(k, v, "–") for k, v in old_values.items() if v != "–"]
            result.append(ItemDiff(REMOVED, label, context, changes))
    return result


# --- sections -------------------------------------------------------------------------------


def _sections(process: StrategyProcess) -> list[TextSection]:
    return list(TextSection.objects.filter(process=process).order_by("kind", "position", "pk"))


def _section_label(section: TextSection) -> str:
    return f"{section.get_kind_display()}: {section.title}"


def _compare_sections(old: list[TextSection], new: list[TextSection]) -> list[SectionDiff]:
    by_title = {(s.kind, s.title): s for s in old}
    pairs, unmatched_new = {}, []
    for section in new:
        match = by_title.pop((section.kind, section.title), None)
        if match is None:
            unmatched_new.append(section)
        else:
            pairs[section.pk] = match
    # A retitled section: the remaining sections of a kind are paired by their order.
    remaining = [s for s in old if (s.kind, s.title) in by_title]
    for section in unmatched_new:
        match = next((s for s in remaining if s.kind == section.kind), None)
        if match is not None:
            remaining.remove(match)
            pairs[section.pk] = match
    result = []
    for section in new:
        match = pairs.get(section.pk)
        if match is None:
            result.append(
                SectionDiff(
                    ADDED,
                    _section_label(section),
                    new_title=section.title,
                    text=text_diff("", section.body),
                )
            )
            continue
        diff = text_diff(match.body, section.body)
        if diff.changed or match.title != section.title:
            result.append(
                SectionDiff(
                    CHANGED,
                    _section_label(section),
                    old_title=match.title,
                    new_title=section.title,
                    text=diff,
                )
            )
    for section in remaining:
        result.append(
            SectionDiff(
                REMOVED,
                _section_label(section),
                old_title=section.title,
                text=text_diff(section.body, ""),
            )
        )
    return result


# --- theme fields, goals, target values -----------------------------------------------------


def _field_plans(process: StrategyProcess) -> dict:
    plans = FieldPlan.objects.filter(process=process).select_related("theme_field")
    return {p.theme_field_id: p for p in plans.order_by("theme_field__position", "pk")}


def _describe_plan(plan: FieldPlan):
    return (
        str(plan.theme_field),
        "",
        _snapshot(plan, ("tier", "rank", "rationale", "vision")),
    )


def _goals(process: StrategyProcess) -> dict:
    goals = (
        Goal.objects.filter(field_plan__process=process)
        .select_related("field_plan__theme_field", "parent")
        .order_by("field_plan__theme_field__position", "kind", "position", "pk")
    )
    return {(g.field_plan.theme_field_id, g.title): g for g in goals}


def _describe_goal(goal: Goal):
    values = _snapshot(goal, ("kind", "description"))
    values[str(Goal._meta.get_field("parent").verbose_name)] = _display(
        goal.parent.title if goal.parent else None
    )
    return goal.title, str(goal.field_plan.theme_field), values


def _targets(process: StrategyProcess) -> dict:
    targets = (
        TargetValue.objects.filter(goal__field_plan__process=process)
        .select_related("goal__field_plan__theme_field")
        .order_by("goal__field_plan__theme_field__position", "goal__position", "pk")
    )
    return {(t.goal.field_plan.theme_field_id, t.goal.title, t.indicator): t for t in targets}


def _describe_target(target: TargetValue):
    names = (
        "unit",
        "baseline_value",
        "baseline_year",
        "target_value",
        "target_year",
        "data_source",
        "responsible_body",
        "interval",
    )
    context = f"{target.goal.field_plan.theme_field} – {target.goal.title}"
    return target.indicator, context, _snapshot(target, names)


# --- measures --------------------------------------------------------------------------------


def _measures(process: StrategyProcess) -> dict:
    measures = (
        Measure.objects.filter(process=process)
        .select_related("funding_programme")
        .prefetch_related(
            "theme_fields",
            "municipalities",
            "goals",
            "target_values",
            Prefetch("depends_on", queryset=Measure.objects.only("pk", "number")),
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
        )
        .order_by("number")
    )
    return {m.number: m for m in measures}


def _names(items, attribute: str = "") -> str:
    return ", ".join(sorted(str(getattr(i, attribute) if attribute else i) for i in items))


def _describe_measure(measure: Measure):
    values = _snapshot(
        measure,
        (
            "title",
            "status",
            "priority",
            "description",
            "target_group",
            "expected_benefit",
            "lead_organisation",
            "partners",
            "investment_cost",
            "running_cost_per_year",
            "funding_programme",
            "grant_rate",
            "start_date",
            "end_date",
        ),
    )
    related = {
        "theme_fields": _names(measure.theme_fields.all()),
        "municipalities": _names(measure.municipalities.all()),
        "goals": _names(measure.goals.all(), "title"),
        "target_values": _names(measure.target_values.all(), "indicator"),
        "depends_on": _names(measure.depends_on.all(), "number"),
    }
    for name, text in related.items():
        values[str(Measure._meta.get_field(name).verbose_name)] = _display(text)
    milestones = "; ".join(
        f"{m.title} ({formats.localize(m.due_on)}{', ' + _('done') if m.done else ''})"
        for m in measure.milestones.all()
    )
    values[str(Milestone._meta.verbose_name_plural)] = _display(milestones)
    return f"{measure.number} {measure.title}", "", values


def edition_compare(*, old: StrategyProcess, new: StrategyProcess) -> EditionComparison:
    """What differs between the edition ``old`` and the edition ``new``."""
    return EditionComparison(
        old=old,
        new=new,
        sections=_compare_sections(_sections(old), _sections(new)),
        field_plans=_compare(_field_plans(old), _field_plans(new), _describe_plan),
        goals=_compare(_goals(old), _goals(new), _describe_goal),
        target_values=_compare(_targets(old), _targets(new), _describe_target),
        measures=_compare(_measures(old), _measures(new), _describe_measure),
    )
