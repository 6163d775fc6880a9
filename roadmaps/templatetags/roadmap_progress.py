"""The progress chart of a target value: inline SVG from baseline to target with the measured
points, and a table with the same numbers (the chart's text alternative)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from ..progress import TargetProgress

register = template.Library()


@register.inclusion_tag("roadmaps/fields/_progress_chart.html")
def progress_chart(progress: TargetProgress, chart_id: str = "", can_measure: bool = False):
    """``{% progress_chart progress %}`` for a ``TargetProgress`` (see ``roadmaps.progress``)."""
    return {
        "progress": progress,
        "chart_id": chart_id or f"progress-{progress.target_value.pk}",
        "can_measure": can_measure,
    }


@register.filter
def figure(value):
    """A measured or planned value as the language writes it, without trailing zeros:
    ``Decimal("69.10")`` → "69,1" in German, "1.250" with grouping; "–" for none."""
    if value is None or value == "":
        return "–"
    return number_format(Decimal(value).normalize(), use_l10n=True, force_grouping=True)
