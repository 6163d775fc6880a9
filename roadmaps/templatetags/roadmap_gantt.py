"""Template tags of the roadmap: the Gantt timeline as accessible inline SVG, its table
alternative, and money."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

from .. import gantt

register = template.Library()


@register.inclusion_tag("roadmaps/measures/_gantt.html")
def roadmap_gantt(roadmap, chart_id="roadmap"):
    """``{% roadmap_gantt roadmap %}``: lay the roadmap out and draw it (both in ``gantt.py``;
    the template adds title, description, patterns and legend)."""
    layout = gantt.gantt_layout(roadmap)
    return {
        "layout": layout,
        "body": gantt.gantt_svg_body(layout, chart_id=chart_id),
        "roadmap": roadmap,
        "chart_id": chart_id,
    }


@register.simple_tag
def roadmap_table_rows(roadmap):
    """``{% roadmap_table_rows roadmap %}``: the rows of the roadmap table."""
    return gantt.roadmap_table_rows(roadmap)


@register.simple_tag
def roadmap_warning_items(warnings):
    """``{% roadmap_warning_items roadmap.warnings %}``: the list of measures starting early."""
    return gantt.roadmap_warning_items(warnings)


@register.filter
def euro(value):
    """``{{ amount|euro }}``: "1.234,56 €" in German, "–" for no amount."""
    if value is None or value == "":
        return "–"
    return f"{floatformat(Decimal(value), '2g')} €"
