"""Editions of the strategy and their update (Fortschreibung), as far as the spine knows them.

A ``StrategyProcess`` is one edition. An adopted edition can be continued by a new edition
(``previous_edition`` points back); the old one is then archived and read-only. This module
holds the selectors every app uses to ask "is this edition adopted?" and "may its content
still change?" and the spine's half of starting a new edition (the new process with its
phases and steps, the old one archived). Copying the elaborated content is the roadmaps app's
half (``roadmaps.editions``): the spine does not import feature apps."""

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Phase, Step, StepTransition, StrategyProcess
from .services import process_create

# The phases a new edition may start in: the adoption phase needs elaborated content first.
START_PHASES = (Phase.Key.INITIALISATION, Phase.Key.ELABORATION)

READ_ONLY_MESSAGE = _("This edition is archived and can no longer be changed.")

# Attribute names through which content objects reach their edition (Goal → field_plan →
# process, AgendaItem → session → workshop → process, …). Looked up by name so the spine
# needs no import of the feature apps.
_PARENT_ATTRIBUTES = (
    "process",
    "field_plan",
    "goal",
    "target_value",
    "measure",
    "section",
    "workshop",
    "session",
)
_MAX_DEPTH = 5


class EditionError(Exception):
    """A new edition cannot be started as asked; the message is shown to the user.

    ``field`` names the form field the message belongs to, if any."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def edition_is_adopted(process: StrategyProcess) -> bool:
    """Whether ``process`` counts as adopted by the councils.

    Until the adoption app records the councils' decisions, a completed process counts as
    adopted. This is the only place that decides it; re-point it to the decisions later."""
    return process.status == StrategyProcess.Status.COMPLETED


def edition_is_read_only(process: StrategyProcess) -> bool:
    """Whether the content of ``process`` may no longer change: it has been archived, which
    happens when a new edition is started from it."""
    return process.status == StrategyProcess.Status.ARCHIVED


def process_of(obj) -> StrategyProcess | None:
    """The edition a content object belongs to (the object itself if it is a process), or
    None for objects outside any edition (municipalities, theme fields, users)."""
    for _depth in range(_MAX_DEPTH):
        if obj is None or isinstance(obj, StrategyProcess):
            return obj
        if not isinstance(obj, models.Model):
            return None
        obj = next(
            (
                getattr(obj, name)
                for name in _PARENT_ATTRIBUTES
                if _is_foreign_key(obj, name) and getattr(obj, f"{name}_id", None) is not None
            ),
            None,
        )
    return None


def _is_foreign_key(obj: models.Model, name: str) -> bool:
    try:
        field = obj._meta.get_field(name)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist and reverse relations alike
        return False
    return isinstance(field, models.ForeignKey)


def edition_read_only_reason(obj) -> str:
    """The message to show when a write to ``obj`` is refused because its edition is
    read-only; empty if its edition is open (or it has none)."""
    process = process_of(obj)
    if process is not None and edition_is_read_only(process):
        return str(READ_ONLY_MESSAGE)
    return ""


def edition_successor(process: StrategyProcess) -> StrategyProcess | None:
    """The edition started from ``process``, if any."""
    return process.later_editions.order_by("-created_at", "-pk").first()


def edition_start_check(*, source: StrategyProcess) -> None:
    """Raise ``EditionError`` unless a new edition may be started from ``source``."""
    successor = edition_successor(source)
    if successor is not None:
        raise EditionError(
            _("A new edition has already been started from this edition: “%(edition)s”.")
            % {"edition": successor}
        )
    if not edition_is_adopted(source):
        raise EditionError(
            _("Only an adopted edition can be updated. This edition has the status “%(status)s”.")
            % {"status": source.get_status_display()}
        )


@transaction.atomic
def edition_process_open(
    *, source: StrategyProcess, title: str, year: int, start_phase: str, user
) -> StrategyProcess:
    """The spine's half of an update: check the source, create the new process with its
    phases and steps, make the first step of ``start_phase`` current (earlier steps count as
    done), record that as the first move, and archive ``source`` so it becomes read-only.

    Callers run it inside their own transaction together with copying the content."""
    source = StrategyProcess.objects.select_for_update().get(pk=source.pk)
    edition_start_check(source=source)
    title = (title or "").strip()
    if not title:
        raise EditionError(_("Please enter a title."), field="title")
    if len(title) > StrategyProcess._meta.get_field("title").max_length:
        raise EditionError(_("The title may have at most 200 characters."), field="title")
    if start_phase not in START_PHASES:
        raise EditionError(
            _("A new edition starts in the initialisation or in the elaboration phase."),
            field="start_phase",
        )
    if year is None or year < source.year:
        raise EditionError(
            _("The year of the new edition must not be before %(year)s.") % {"year": source.year},
            field="year",
        )
    edition = process_create(
        title=title,
        year=year,
        description=source.description,
        previous_edition=source,
    )
    now = timezone.now()
    steps = list(
        Step.objects.filter(phase__process=edition)
        .select_related("phase")
        .order_by("phase__position", "position")
    )
    first = next(s for s in steps if s.phase.key == start_phase)
    for step in steps:
        if step.phase.position < first.phase.position:
            step.status, step.started_at, step.completed_at = Step.Status.DONE, now, now
        elif step.pk == first.pk:
            step.status, step.started_at = Step.Status.IN_PROGRESS, now
    Step.objects.bulk_update(steps, ["status", "started_at", "completed_at"])
    edition.status = StrategyProcess.Status.RUNNING
    edition.save(update_fields=["status"])
    StepTransition.objects.create(
        process=edition,
        from_step=None,
        to_step=first,
        direction=StepTransition.Direction.FORWARD,
        note=gettext("Update of the edition “%(edition)s”.") % {"edition": source},
        by=user,
    )
    source.status = StrategyProcess.Status.ARCHIVED
    source.save(update_fields=["status"])
    return edition
