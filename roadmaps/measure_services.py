"""Writes of the measures (Maßnahmensteckbriefe): save with milestones and dependencies, delete.

Each service checks the domain rules itself (the forms check them too, for friendly messages
next to the fields), runs in one transaction and raises ``MeasureError`` before anything is
written."""

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from strategy.models import Municipality, StrategyProcess, ThemeField

from .models import Goal, Measure, Milestone, TargetValue


class MeasureError(Exception):
    """A measure cannot be saved as asked; ``message`` says why, ``field`` where (or None)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def dependency_cycle(
    *, process: StrategyProcess, measure_pk: int | None, depends_on: Iterable[int]
) -> list[int]:
    """The cycle that ``measure_pk`` depending on ``depends_on`` would close, as a list of
    measure pks starting and ending with ``measure_pk``; empty if there is none.

    A depth-first search over the whole dependency graph of the process (one query), with the
    measure's own edges replaced by the new ones."""
    if measure_pk is None:
        # A new measure has no dependents yet, so it cannot close a cycle.
        return []
    through = Measure.depends_on.through
    graph: dict[int, list[int]] = {}
    for source, target in through.objects.filter(from_measure__process=process).values_list(
        "from_measure_id", "to_measure_id"
    ):
        if source != measure_pk:
            graph.setdefault(source, []).append(target)
    graph[measure_pk] = list(depends_on)

    path: list[int] = []
    finished: set[int] = set()
    on_path: set[int] = set()

    def visit(node: int) -> list[int]:
        path.append(node)
        on_path.add(node)
        for nxt in graph.get(node, ()):
            if nxt == measure_pk:
                return [*path, measure_pk]
            if nxt in on_path or nxt in finished:
                continue
            found = visit(nxt)
            if found:
                return found
        path.pop()
        on_path.discard(node)
        finished.add(node)
        return []

    return visit(measure_pk)


def _check(
    *,
    measure: Measure,
    depends_on: Sequence[Measure],
    milestones: Sequence[dict],
) -> None:
    """Raise ``MeasureError`` for the first broken rule."""
    number = (measure.number or "").strip()
    if not number:
        raise MeasureError(_("Please give the measure a number."), field="number")
    taken = Measure.objects.filter(process=measure.process, number__iexact=number)
    if measure.pk:
        taken = taken.exclude(pk=measure.pk)
    if taken.exists():
        raise MeasureError(
            _("Another measure of this strategy already has the number %(number)s.")
            % {"number": number},
            field="number",
        )
    if measure.start_date and measure.end_date and measure.end_date < measure.start_date:
        raise MeasureError(_("The end must not be before the start."), field="end_date")
    for name in ("investment_cost", "running_cost_per_year"):
        value = getattr(measure, name)
        if value is not None and value < 0:
            raise MeasureError(_("Costs cannot be negative."), field=name)
    if measure.grant_rate is not None and not 0 <= measure.grant_rate <= 100:
        raise MeasureError(_("The grant rate must be between 0 and 100 %."), field="grant_rate")
    for milestone in milestones:
        due: date = milestone["due_on"]
        if (measure.start_date and due < measure.start_date) or (
            measure.end_date and due > measure.end_date
        ):
            raise MeasureError(
                _("The milestone “%(title)s” must lie within the period of the measure.")
                % {"title": milestone["title"]}
            )
    if measure.pk and any(other.pk == measure.pk for other in depends_on):
        raise MeasureError(_("A measure cannot depend on itself."), field="depends_on")
    if any(other.process_id != measure.process_id for other in depends_on):
        raise MeasureError(
            _("A measure can only depend on measures of the same strategy."), field="depends_on"
        )
    cycle = dependency_cycle(
        process=measure.process,
        measure_pk=measure.pk,
        depends_on=[other.pk for other in depends_on],
    )
    if cycle:
        numbers = dict(Measure.objects.filter(pk__in=set(cycle)).values_list("pk", "number"))
        names = " → ".join(numbers.get(pk, "?") for pk in cycle)
        raise MeasureError(
            _("These dependencies would form a cycle: %(cycle)s. Please remove one of them.")
            % {"cycle": names},
            field="depends_on",
        )


@transaction.atomic
def measure_save(
    *,
    measure: Measure,
    theme_fields: Iterable[ThemeField],
    goals: Iterable[Goal] = (),
    target_values: Iterable[TargetValue] = (),
    municipalities: Iterable[Municipality] = (),
    depends_on: Iterable[Measure] = (),
    milestones: Sequence[dict] = (),
) -> Measure:
    """Create or update ``measure`` (its process set) with its relations and milestones.

    ``milestones`` are dicts with ``title``, ``due_on``, ``done`` and ``pk`` (None for a new
    one); milestones of the measure that are not listed are deleted. Nothing is written when a
    rule is broken: end before start, negative cost, grant rate outside 0–100 %, a milestone
    outside the period, a dependency on itself or a dependency cycle."""
    theme_fields, depends_on = list(theme_fields), list(depends_on)
    if not theme_fields:
        raise MeasureError(_("Please choose at least one theme field."), field="theme_fields")
    _check(measure=measure, depends_on=depends_on, milestones=milestones)
    measure.save()
    measure.theme_fields.set(theme_fields)
    measure.goals.set(list(goals))
    measure.target_values.set(list(target_values))
    measure.municipalities.set(list(municipalities))
    measure.depends_on.set(depends_on)

    kept = {item["pk"] for item in milestones if item.get("pk")}
    measure.milestones.exclude(pk__in=kept).delete()
    existing = {m.pk: m for m in measure.milestones.filter(pk__in=kept)}
    for item in milestones:
        milestone = existing.get(item.get("pk")) or Milestone(measure=measure)
        milestone.title = item["title"]
        milestone.due_on = item["due_on"]
        milestone.done = bool(item.get("done"))
        milestone.save()
    return measure


@transaction.atomic
def measure_delete(*, measure: Measure) -> None:
    """Delete a measure with its milestones; measures that depended on it lose that link."""
    measure.delete()
