"""Layout of the roadmap as a Gantt-style timeline: years and quarters on the x axis, one row
per measure with a bar from start to end, milestones as diamonds and arrows from the end of a
prerequisite to the start of the measure that depends on it. Computed here in Python.

The markup of the rows, bars, milestones and arrows (thousands of elements for a roadmap of 300
measures) and of the roadmap table is written here too, with every piece of user text escaped:
drawn by template tags in a loop it cost several hundred milliseconds per page. The template
``roadmaps/measures/_gantt.html`` keeps the frame (title, description, patterns, legend)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, pgettext_lazy

from .measure_selectors import DependencyWarning, Roadmap, RoadmapMeasure, starts_too_early
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

    measure: RoadmapMeasure
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

    prerequisite: RoadmapMeasure
    measure: RoadmapMeasure
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


def _year_range(measures: list[RoadmapMeasure], today: date) -> tuple[int, int]:
    days = [
        day
        for measure in measures
        for day in (measure.start_date, measure.end_date)
        if day is not None
    ]
    days += [m.due_on for measure in measures for m in measure.milestones]
    if not days:
        return today.year, today.year + 1
    return min(days).year, max(days).year + 1


def _label(measure: RoadmapMeasure) -> str:
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
        for milestone in measure.milestones:
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
        for prerequisite in row.measure.prerequisites:
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


# Markup ------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _short_date_in(language: str | None, fmt: str, day: date) -> str:
    # ``language`` is part of the key because some formats contain month or day names.
    return dateformat.format(day, fmt)


class _ShortDates:
    """``date|date:"SHORT_DATE_FORMAT"`` in the active language. The roadmap formats about
    1,500 dates per page; ``dateformat.format`` is slow, and its result only depends on the
    language, the format and the day, so it is memoised across requests."""

    def __init__(self):
        self.language = get_language()
        self.fmt = get_format("SHORT_DATE_FORMAT")

    def __call__(self, day: date | None) -> str:
        if day is None:
            return ""
        return _short_date_in(self.language, self.fmt, day)


def _choice_labels(choices) -> dict[str, str]:
    """Value → label in the active language, like ``get_FOO_display`` but translated once."""
    return {value: str(label) for value, label in choices}


def _measure_url_for():
    """``measure.get_absolute_url()`` without a ``reverse`` per row: reversed once with a
    placeholder that is then replaced by the primary key."""
    placeholder = 2147483647
    url = reverse("roadmaps:measure_detail", kwargs={"pk": placeholder})
    head, tail = url.rsplit(str(placeholder), 1)
    return lambda pk: f"{head}{pk}{tail}"


def gantt_svg_body(layout: GanttLayout, *, chart_id: str) -> SafeString:
    """The axis, one ``<g>`` per measure row and the dependency arrows of the roadmap SVG.
    Numbers are written unlocalised (``localize off`` in the template before); user text
    (numbers and titles of measures and milestones) is escaped."""
    chart_id = escape(chart_id)
    short_date = _ShortDates()
    priorities = _choice_labels(Measure.Priority.choices)
    short_priorities = {value: str(label) for value, label in PRIORITY_SHORT.items()}
    no_dates = escape(gettext("no dates yet"))
    fills = {
        Measure.Priority.MEDIUM: f' fill="url(#{chart_id}-pattern-medium)"',
        Measure.Priority.LOW: f' fill="url(#{chart_id}-pattern-low)"',
    }
    height = layout.height
    parts = ['<g class="gantt-axis">']
    for tick in layout.quarters:
        parts.append(
            f'<line class="gantt-quarter-line" x1="{tick.x}" y1="28" x2="{tick.x}" '
            f'y2="{height}"></line><text class="gantt-quarter" x="{tick.x}" dx="4" y="46">'
            f"{tick.label}</text>"
        )
    for tick in layout.years:
        parts.append(
            f'<line class="gantt-year-line" data-year="{tick.label}" x1="{tick.x}" y1="0" '
            f'x2="{tick.x}" y2="{height}"></line>'
        )
        if tick.label:
            parts.append(f'<text class="gantt-year" x="{tick.x}" dx="6" y="20">{tick.label}</text>')
    parts.append(
        f'<line class="gantt-header-line" x1="0" y1="{layout.header_height}" '
        f'x2="{layout.width}" y2="{layout.header_height}"></line>'
    )
    if layout.today_x is not None:
        parts.append(
            f'<line class="gantt-today" x1="{layout.today_x}" y1="28" x2="{layout.today_x}" '
            f'y2="{height}"></line>'
        )
    parts.append("</g>")
    for row in layout.rows:
        measure = row.measure
        priority = measure.priority
        warning = row.warning
        parts.append(
            f'<g class="gantt-row priority-{escape(priority)}'
            f'{" gantt-warning" if warning else ""}" data-measure="{escape(measure.number)}">'
            f'<text class="gantt-label" x="8" y="{row.text_y}">{"⚠ " if warning else ""}'
            f"{escape(row.label)}</text>"
        )
        if row.has_bar:
            title = (
                f"{measure}: {short_date(measure.start_date)}–{short_date(measure.end_date)}, "
                f"{priorities.get(priority, priority)}"
            )
            parts.append(
                f'<rect class="gantt-bar" x="{row.x_start}" y="{row.bar_y}" '
                f'width="{row.bar_width}" height="{layout.bar_height}" rx="3"'
                f"{fills.get(priority, '')}><title>{escape(title)}</title></rect>"
                f'<text class="gantt-priority" x="{row.x_end}" dx="6" y="{row.text_y}">'
                f"{escape(short_priorities.get(priority, ''))}</text>"
            )
        else:
            parts.append(
                f'<text class="gantt-nodates" x="{layout.label_width + 6}" y="{row.text_y}">'
                f"{no_dates}</text>"
            )
        for diamond in row.milestones:
            milestone = diamond["milestone"]
            title = f"{milestone.title}: {short_date(milestone.due_on)}"
            done = " gantt-milestone-done" if milestone.done else ""
            parts.append(
                f'<polygon class="gantt-milestone{done}" points="{diamond["points"]}">'
                f"<title>{escape(title)}</title></polygon>"
            )
        parts.append("</g>")
    for arrow in layout.arrows:
        suffix = "-warning" if arrow.warning else ""
        parts.append(
            f'<path class="gantt-dependency{" gantt-dependency-warning" if arrow.warning else ""}"'
            f' d="{arrow.path}" data-from="{escape(arrow.prerequisite.number)}"'
            f' data-to="{escape(arrow.measure.number)}"'
            f' marker-end="url(#{chart_id}-arrow{suffix})"></path>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


def roadmap_warning_items(warnings: list[DependencyWarning]) -> SafeString:
    """The ``<li>`` items of the list of measures that start before a prerequisite ends."""
    short_date = _ShortDates()
    text = gettext(
        "%(measure)s starts on %(start)s, before %(prerequisite)s, which it depends on, "
        "ends on %(end)s."
    )
    return mark_safe(  # noqa: S308 - the values are escaped, the text is our translation
        "".join(
            "<li>"
            + text
            % {
                "measure": escape(warning.measure.number),
                "start": short_date(warning.measure.start_date),
                "prerequisite": escape(warning.prerequisite.number),
                "end": short_date(warning.prerequisite.end_date),
            }
            + "</li>"
            for warning in warnings
        )
    )


def roadmap_table_rows(roadmap: Roadmap) -> SafeString:
    """The ``<tr>`` rows of the roadmap table, the text alternative of the timeline: period,
    priority, status, milestones and prerequisites of every measure, with a link to it."""
    short_date = _ShortDates()
    priorities = _choice_labels(Measure.Priority.choices)
    statuses = _choice_labels(Measure.Status.choices)
    done = escape(gettext("done"))
    too_early = escape(gettext("starts before it ends"))
    url_for = _measure_url_for()
    parts = []
    for measure in roadmap.measures:
        milestones = "<br>".join(
            f"{short_date(m.due_on)}: {escape(m.title)}{f' ({done})' if m.done else ''}"
            for m in measure.milestones
        )
        prerequisites = ", ".join(
            escape(prerequisite.number)
            + (
                f" <strong>(⚠ {too_early})</strong>"
                if starts_too_early(measure, prerequisite)
                else ""
            )
            for prerequisite in measure.prerequisites
        )
        parts.append(
            f'<tr><th scope="row"><a href="{url_for(measure.pk)}">{escape(measure.number)} '
            f"{escape(measure.title)}</a></th>"
            f"<td>{short_date(measure.start_date) or '–'}</td>"
            f"<td>{short_date(measure.end_date) or '–'}</td>"
            f"<td>{escape(priorities.get(measure.priority, measure.priority))}</td>"
            f"<td>{escape(statuses.get(measure.status, measure.status))}</td>"
            f"<td>{milestones or '–'}</td><td>{prerequisites or '–'}</td></tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped
