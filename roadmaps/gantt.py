"""Layout of the roadmap as a Gantt-style timeline: years and quarters on the x axis, one row
per measure with a bar from start to end, milestones as diamonds and arrows from the end of a
prerequisite to the start of the measure that depends on it. Computed here in Python; the
template ``roadmaps/measures/_gantt.html`` only draws it."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from .measure_selectors import Roadmap, starts_too_early
from .models import Measure

LABEL_WIDTH = 320
YEAR_WIDTH = 240
RIGHT_MARGIN = 90
HEADER_HEIGHT = 52
ROW_HEIGHT = 30
BAR_HEIGHT = 16
DIAMOND = 7
LABEL_CHARS = 42
# Written next to each bar, so that colour and pattern are not the only cue.
PRIORITY_SHORT = {
    Measure.Priority.HIGH: pgettext_lazy("measure priority, short", "high"),
    Measure.Priority.MEDIUM: pgettext_lazy("measure priority, short", "medium"),
    Measure.Priority.LOW: pgettext_lazy("measure priority, short", "low"),
}


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class GanttRow:
    """One measure: its label, bar (if it has dates) and milestones."""

    measure: Measure
    y: float
    label: str
    has_bar: bool = False
    x_start: float = 0
    x_end: float = 0
    milestones: list[dict] = field(default_factory=list)
    warning: bool = False

    @property
    def bar_y(self) -> float:
        return self.y + (ROW_HEIGHT - BAR_HEIGHT) / 2

    @property
    def center_y(self) -> float:
        return self.y + ROW_HEIGHT / 2

    @property
    def text_y(self) -> float:
        return self.y + ROW_HEIGHT / 2 + 5

    @property
    def priority_short(self) -> str:
        return PRIORITY_SHORT.get(self.measure.priority, "")

    @property
    def bar_width(self) -> float:
        return max(self.x_end - self.x_start, 2)


@dataclass
class GanttArrow:
    """A dependency: from the end of ``prerequisite`` to the start of ``measure``."""

    prerequisite: Measure
    measure: Measure
    path: str
    warning: bool


@dataclass
class GanttLayout:
    start: date
    end: date
    width: float
    height: float
    years: list[Tick]
    quarters: list[Tick]
    rows: list[GanttRow]
    arrows: list[GanttArrow]
    today_x: float | None = None
    label_width: int = LABEL_WIDTH
    header_height: int = HEADER_HEIGHT
    bar_height: int = BAR_HEIGHT

    def x_for(self, day: date) -> float:
        """The x position of ``day`` on the time axis: every year is equally wide (leap years
        too), so that the year ticks are evenly spaced."""
        year_start = date(day.year, 1, 1)
        year_days = (date(day.year + 1, 1, 1) - year_start).days
        years = day.year - self.start.year + (day - year_start).days / year_days
        return round(LABEL_WIDTH + years * YEAR_WIDTH, 2)


def _year_range(measures: list[Measure], today: date) -> tuple[int, int]:
    days = [
        day
        for measure in measures
        for day in (measure.start_date, measure.end_date)
        if day is not None
    ]
    days += [m.due_on for measure in measures for m in measure.milestones.all()]
    if not days:
        return today.year, today.year + 1
    return min(days).year, max(days).year + 1


def _label(measure: Measure) -> str:
    text = f"{measure.number} {measure.title}"
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _arrow_path(x1: float, y1: float, x2: float, y2: float) -> str:
    """Out of the prerequisite's end to the right, down or up, into the measure's start; when
    the measure starts too early the line goes round through the gap between the rows."""
    if x2 - x1 >= 12:
        mid = x1 + 6
        return f"M{x1} {y1} H{mid} V{y2} H{x2}"
    gap = y2 - ROW_HEIGHT / 2 if y2 > y1 else y2 + ROW_HEIGHT / 2
    return f"M{x1} {y1} H{x1 + 6} V{gap} H{x2 - 10} V{y2} H{x2}"


def gantt_layout(roadmap: Roadmap, *, today: date | None = None) -> GanttLayout:
    """Positions of everything the roadmap SVG draws (no queries: ``roadmap`` is prefetched)."""
    today = today or timezone.localdate()
    measures = roadmap.measures
    first_year, end_year = _year_range(measures, today)
    years = end_year - first_year
    layout = GanttLayout(
        start=date(first_year, 1, 1),
        end=date(end_year, 1, 1),
        width=LABEL_WIDTH + years * YEAR_WIDTH + RIGHT_MARGIN,
        height=HEADER_HEIGHT + max(len(measures), 1) * ROW_HEIGHT + 8,
        years=[],
        quarters=[],
        rows=[],
        arrows=[],
    )
    for year in range(first_year, end_year):
        layout.years.append(Tick(layout.x_for(date(year, 1, 1)), str(year)))
        for quarter, month in enumerate((1, 4, 7, 10), start=1):
            layout.quarters.append(Tick(layout.x_for(date(year, month, 1)), f"Q{quarter}"))
    layout.years.append(Tick(layout.x_for(layout.end), ""))
    if layout.start <= today < layout.end:
        layout.today_x = layout.x_for(today)

    warned = roadmap.warned_pks
    by_pk = {}
    for index, measure in enumerate(measures):
        row = GanttRow(
            measure=measure,
            y=HEADER_HEIGHT + index * ROW_HEIGHT,
            label=_label(measure),
            warning=measure.pk in warned,
        )
        start = measure.start_date or measure.end_date
        end = measure.end_date or measure.start_date
        if start and end:
            row.has_bar = True
            row.x_start = layout.x_for(start)
            # The end date is the last day of the measure: the bar reaches to its end.
            row.x_end = layout.x_for(end + timedelta(days=1))
        for milestone in measure.milestones.all():
            x, cy = layout.x_for(milestone.due_on), row.center_y
            row.milestones.append(
                {
                    "milestone": milestone,
                    "points": f"{x},{cy - DIAMOND} {x + DIAMOND},{cy} {x},{cy + DIAMOND} "
                    f"{x - DIAMOND},{cy}",
                }
            )
        layout.rows.append(row)
        by_pk[measure.pk] = row

    for row in layout.rows:
        for prerequisite in row.measure.depends_on.all():
            source = by_pk.get(prerequisite.pk)
            if source is None or not (source.has_bar and row.has_bar):
                continue  # filtered out or without dates: named in the table instead
            layout.arrows.append(
                GanttArrow(
                    prerequisite=prerequisite,
                    measure=row.measure,
                    path=_arrow_path(source.x_end, source.center_y, row.x_start, row.center_y),
                    warning=starts_too_early(row.measure, prerequisite),
                )
            )
    return layout
