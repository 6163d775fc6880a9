"""Writes of the inventory: entries, retiring, completion, reminders, synergy decisions.

Each service runs in a transaction and raises ``InventoryError`` with a translatable message
when the change is not allowed."""

from django.db import transaction
from django.db.models import BigIntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from strategy.models import Municipality, StrategyProcess

from .keys import NUMBER_DIGITS, key_prefix, numbered_key, numbered_key_pattern
from .models import (
    ExistingStrategy,
    InventoryCompletion,
    InventoryReminder,
    Project,
    SynergyCandidate,
)


class InventoryError(Exception):
    """A change to the inventory that is not allowed; the message is shown to the user."""


def similarity_schedule() -> None:
    """Have the worker recompute similarities once the current transaction commits.

    A burst of changes (an import, a form with many fields) leads to one queued run."""
    from .tasks import similarities_recompute_queued

    transaction.on_commit(similarities_recompute_queued)


def _next_project_key(municipality: Municipality) -> str:
    """The next key in the municipality's numbering: one above the highest well-formed number
    in the database (any other key with the prefix, as stored before keys were checked, is
    ignored)."""
    prefix = key_prefix(municipality)
    highest = Project.objects.filter(key__regex=numbered_key_pattern(prefix)).aggregate(
        highest=Max(Cast(Substr("key", len(prefix) + 2), BigIntegerField()))
    )["highest"]
    number = (highest or 0) + 1
    if number >= 10**NUMBER_DIGITS:
        raise InventoryError(
            _(
                "No project numbers are left for %(municipality)s; please contact the district "
                "administration."
            )
            % {"municipality": municipality.name}
        )
    return numbered_key(prefix, number)


@transaction.atomic
def project_save(*, form, user) -> Project:
    """Create or update a project from a valid ``ProjectForm``; the history records ``user``."""
    project = form.save(commit=False)
    if not project.key:
        # One numbering at a time per municipality: two new projects never get the same key.
        Municipality.objects.select_for_update().filter(pk=project.municipality_id).first()
        project.key = _next_project_key(project.municipality)
    project._history_user = user
    project.save()
    form.save_m2m()
    return project


@transaction.atomic
def entry_retire(*, entry: Project | ExistingStrategy, user) -> None:
    """Retire an entry: it leaves the lists but stays with its history."""
    if entry.retired_at:
        raise InventoryError(_("This entry is already retired."))
    entry.retired_at = timezone.now()
    entry._history_user = user
    entry.save()


@transaction.atomic
def entry_reactivate(*, entry: Project | ExistingStrategy, user) -> None:
    """Bring a retired entry back."""
    if not entry.retired_at:
        raise InventoryError(_("This entry is not retired."))
    entry.retired_at = None
    entry._history_user = user
    entry.save()


@transaction.atomic
def strategy_save(*, form, user) -> ExistingStrategy:
    """Create or update an existing strategy from a valid form."""
    strategy = form.save(commit=False)
    strategy._history_user = user
    strategy.save()
    return strategy


@transaction.atomic
def inventory_complete(
    *, process: StrategyProcess, municipality: Municipality, user
) -> InventoryCompletion:
    """Declare the inventory of ``municipality`` complete for ``process``."""
    completion, created = InventoryCompletion.objects.get_or_create(
        process=process,
        municipality=municipality,
        defaults={"completed_at": timezone.now(), "completed_by": user},
    )
    if not created:
        raise InventoryError(_("The inventory of this municipality is already complete."))
    return completion


@transaction.atomic
def inventory_reopen(*, process: StrategyProcess, municipality: Municipality) -> None:
    """Withdraw the declaration, e.g. when more projects are to be added."""
    deleted, _counts = InventoryCompletion.objects.filter(
        process=process, municipality=municipality
    ).delete()
    if not deleted:
        raise InventoryError(_("The inventory of this municipality is not marked complete."))


@transaction.atomic
def reminders_send(
    *, process: StrategyProcess, municipality_ids: list[int], user
) -> list[InventoryReminder]:
    """Record reminders for the given municipalities that are not complete yet, and have the
    worker e-mail their representatives."""
    from .tasks import send_inventory_reminder

    complete = set(
        InventoryCompletion.objects.filter(process=process).values_list(
            "municipality_id", flat=True
        )
    )
    targets = Municipality.objects.filter(pk__in=municipality_ids).exclude(pk__in=complete)
    reminders = [InventoryReminder(municipality=m, requested_by=user) for m in targets]
    if not reminders:
        raise InventoryError(_("Please choose at least one municipality that is not complete."))
    reminders = InventoryReminder.objects.bulk_create(reminders)
    for reminder in reminders:
        transaction.on_commit(lambda pk=reminder.pk: send_inventory_reminder.delay(pk))
    return reminders


@transaction.atomic
def synergy_decide(*, candidate: SynergyCandidate, decision: str, note: str, user):
    """Mark a synergy candidate as worth a joint project, not relevant, or open again."""
    if decision not in SynergyCandidate.Decision.values:
        raise InventoryError(_("Unknown decision."))
    candidate.decision, candidate.note = decision, note
    if decision == SynergyCandidate.Decision.OPEN:
        candidate.decided_by, candidate.decided_at = None, None
    else:
        candidate.decided_by, candidate.decided_at = user, timezone.now()
    candidate.save(update_fields=["decision", "note", "decided_by", "decided_at", "updated_at"])
    return candidate
