"""Template tags of the roadmap: the Gantt timeline as accessible inline SVG, and money."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

from ..gantt import gantt_layout

register = template.Library()


@register.inclusion_tag("roadmaps/measures/_gantt.html")
def roadmap_gantt(roadmap, chart_id="roadmap"):
    """``{% roadmap_gantt roadmap %}``: lay the roadmap out (in ``gantt.py``) and draw it."""
    return {"layout": gantt_layout(roadmap), "roadmap": roadmap, "chart_id": chart_id}


@register.filter
def euro(value):
    """``{{ amount|euro }}``: "1.234,56 €" in German, "–" for no amount."""
    if value is None or value == "":
        return "–"
    return f"{floatformat(Decimal(value), '2g')} €"
