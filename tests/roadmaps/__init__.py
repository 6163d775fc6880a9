"""Helpers for the tests of the elaboration (measures, roadmap, funding)."""

from datetime import date
from decimal import Decimal

from roadmaps.models import Measure, Milestone
from strategy.models import ThemeField


def make_measure(process, number, *, fields=None, municipalities=(), depends_on=(), **values):
    """A measure saved directly (the services are tested on their own)."""
    values.setdefault("title", f"Maßnahme {number}")
    for name in ("investment_cost", "running_cost_per_year", "grant_rate"):
        if isinstance(values.get(name), int | str):
            values[name] = Decimal(values[name])
    measure = Measure.objects.create(process=process, number=number, **values)
    measure.theme_fields.set(fields or [ThemeField.objects.order_by("position").first()])
    measure.municipalities.set(municipalities)
    measure.depends_on.set(depends_on)
    return measure


def add_milestone(measure, title, due_on: date, done=False):
    return Milestone.objects.create(measure=measure, title=title, due_on=due_on, done=done)
