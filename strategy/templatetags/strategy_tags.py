"""Template tags of the strategy spine: the process picture ("Abbildung 1")."""

from django import template

from ..models import Step

register = template.Library()

COLUMN_WIDTH = 300
COLUMN_GAP = 30
HEADER_HEIGHT = 58
STEP_TOP = 74
STEP_HEIGHT = 46
STEP_PITCH = 56


@register.inclusion_tag("strategy/_process_picture.html")
def process_picture(overview, picture_id="process-picture"):
    """Lay out the phases as columns and their steps as boxes; the template draws the SVG."""
    columns, max_steps = [], 0
    for index, phase_view in enumerate(overview.phases):
        x = index * (COLUMN_WIDTH + COLUMN_GAP)
        steps = []
        for step_index, step in enumerate(phase_view.steps):
            steps.append(
                {
                    "step": step,
                    "x": x + 12,
                    "y": STEP_TOP + step_index * STEP_PITCH,
                    "text_y": STEP_TOP + step_index * STEP_PITCH + 29,
                    "is_current": step.status == Step.Status.IN_PROGRESS,
                }
            )
        max_steps = max(max_steps, len(steps))
        columns.append(
            {
                "view": phase_view,
                "number": index + 1,
                "steps": steps,
                "x": x,
                "text_x": x + 14,
                "arrow": (
                    f"{x + COLUMN_WIDTH + 6},{HEADER_HEIGHT / 2 - 12} "
                    f"{x + COLUMN_WIDTH + COLUMN_GAP - 6},{HEADER_HEIGHT / 2} "
                    f"{x + COLUMN_WIDTH + 6},{HEADER_HEIGHT / 2 + 12}"
                )
                if index < len(overview.phases) - 1
                else "",
            }
        )
    height = STEP_TOP + max_steps * STEP_PITCH + 8
    width = len(columns) * COLUMN_WIDTH + (len(columns) - 1) * COLUMN_GAP
    for column in columns:
        column["height"] = height
    return {
        "overview": overview,
        "columns": columns,
        "width": width,
        "height": height,
        "column_width": COLUMN_WIDTH,
        "step_width": COLUMN_WIDTH - 24,
        "step_height": STEP_HEIGHT,
        "header_height": HEADER_HEIGHT,
        "picture_id": picture_id,
    }
