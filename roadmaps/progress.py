"""Progress of a target value (Zielwert) from its baseline towards its target: the share of
the way reached and the geometry of a small inline SVG chart with a table alternative."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .models import Measurement, TargetValue

CHART_WIDTH = 560
CHART_HEIGHT = 220
MARGIN_LEFT = 80
MARGIN_RIGHT = 24
MARGIN_TOP = 20
MARGIN_BOTTOM = 40


@dataclass
class ChartPoint:
    """A value at a date, with its position in the chart (SVG user units)."""

    kind: str  # "baseline", "measurement" or "target"
    on: date
    value: Decimal
    x: float = 0.0
    y: float = 0.0
    share: int | None = None
    pk: int | None = None
    note: str = ""


@dataclass
class TargetProgress:
    """Baseline, measurements and target of one target value, placed in one chart."""

    target_value: TargetValue
    baseline: ChartPoint
    target: ChartPoint
    measurements: list[ChartPoint] = field(default_factory=list)
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = MARGIN_LEFT
    right: int = CHART_WIDTH - MARGIN_RIGHT
    top: int = MARGIN_TOP
    bottom: int = CHART_HEIGHT - MARGIN_BOTTOM

    @property
    def latest(self) -> ChartPoint | None:
        return self.measurements[-1] if self.measurements else None

    @property
    def share(self) -> int | None:
        """Per cent of the way from baseline to target that the latest measurement reached."""
        return self.latest.share if self.latest else None

    @property
    def measured_path(self) -> str:
        """SVG ``points`` of the line from the baseline through every measurement."""
        points = [self.baseline, *self.measurements]
        return " ".join(f"{p.x},{p.y}" for p in points)


def share_of_way(*, baseline: Decimal, target: Decimal, value: Decimal) -> int | None:
    """Per cent of the way from ``baseline`` to ``target`` that ``value`` covers, rounded.

    Works for falling targets too (fewer paper forms); below 0 means the value moved away
    from the target, above 100 that it went past it. ``None`` when baseline and target are
    equal, because there is no way to cover."""
    if target == baseline:
        return None
    return round((value - baseline) / (target - baseline) * 100)


def _scale(value: float, low: float, high: float, start: float, end: float) -> float:
    if high == low:
        return round((start + end) / 2, 1)
    return round(start + (value - low) / (high - low) * (end - start), 1)


def target_progress(
    target_value: TargetValue, measurements: list[Measurement] | None = None
) -> TargetProgress:
    """The progress of ``target_value``; pass its measurements when they are prefetched,
    otherwise ``target_value.measurements.all()`` is used (prefetched or one query)."""
    if measurements is None:
        measurements = list(target_value.measurements.all())
    measurements = sorted(measurements, key=lambda m: (m.measured_on, m.pk or 0))
    baseline_value, target = target_value.baseline_value, target_value.target_value
    progress = TargetProgress(
        target_value=target_value,
        baseline=ChartPoint("baseline", date(target_value.baseline_year, 1, 1), baseline_value),
        target=ChartPoint("target", date(target_value.target_year, 12, 31), target),
        measurements=[
            ChartPoint(
                "measurement",
                m.measured_on,
                m.value,
                share=share_of_way(baseline=baseline_value, target=target, value=m.value),
                pk=m.pk,
                note=m.note,
            )
            for m in measurements
        ],
    )
    points = [progress.baseline, *progress.measurements, progress.target]
    first_day = min(p.on for p in points).toordinal()
    last_day = max(p.on for p in points).toordinal()
    low = float(min(p.value for p in points))
    high = float(max(p.value for p in points))
    for point in points:
        point.x = _scale(point.on.toordinal(), first_day, last_day, progress.left, progress.right)
        # SVG y grows downwards: the highest value sits at the top.
        point.y = _scale(float(point.value), low, high, progress.bottom, progress.top)
    return progress
