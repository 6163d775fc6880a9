"""Charts of workshop results as inline SVG with a table alternative; used by the projector,
the facilitator's view and the minutes PDF."""

from django import template

register = template.Library()

BAR_HEIGHT = 28
BAR_GAP = 10
LABEL_WIDTH = 320
CHART_WIDTH = 760


@register.inclusion_tag("workshops/charts/_bar_chart.html")
def bar_chart(rows, chart_id="vote-chart", title=""):
    """Ranked horizontal bar chart of ``VoteRow``s."""
    highest = max((row.dots for row in rows), default=0) or 1
    bar_space = CHART_WIDTH - LABEL_WIDTH - 60
    bars = []
    for index, row in enumerate(rows):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = round(bar_space * row.dots / highest, 1)
        label = row.label if len(row.label) <= 40 else row.label[:39] + "…"
        bars.append(
            {
                "row": row,
                "label": label,
                "y": y,
                "text_y": y + BAR_HEIGHT * 0.68,
                "width": width,
                "value_x": LABEL_WIDTH + width + 8,
            }
        )
    return {
        "rows": rows,
        "bars": bars,
        "chart_id": chart_id,
        "title": title,
        "width": CHART_WIDTH,
        "height": max(len(rows), 1) * (BAR_HEIGHT + BAR_GAP),
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }


SCATTER_SIZE = 420
SCATTER_MARGIN = 50


def _scale(value: float) -> float:
    """Map 1..5 onto the plot area."""
    return SCATTER_MARGIN + (value - 1) / 4 * (SCATTER_SIZE - 2 * SCATTER_MARGIN)


@register.inclusion_tag("workshops/charts/_scatter.html")
def scatter_chart(rows, chart_id="rating-chart", title=""):
    """Benefit (y, up) against effort (x, right) with four quadrants and numbered points."""
    points = [
        {
            "row": row,
            "number": index,
            "x": round(_scale(row.effort), 1),
            "y": round(SCATTER_SIZE - _scale(row.benefit), 1),
        }
        for index, row in enumerate(rows, start=1)
    ]
    middle = _scale(3)
    return {
        "rows": rows,
        "points": points,
        "chart_id": chart_id,
        "title": title,
        "size": SCATTER_SIZE,
        "low": SCATTER_MARGIN,
        "high": SCATTER_SIZE - SCATTER_MARGIN,
        "middle": middle,
        "middle_y": SCATTER_SIZE - middle,
        "ticks": [
            {"value": v, "pos": _scale(v), "pos_y": SCATTER_SIZE - _scale(v)} for v in range(1, 6)
        ],
    }
