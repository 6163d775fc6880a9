"""Writes of the inventory."""

from django.db import transaction


def similarity_schedule() -> None:
    """Have the worker recompute similarities once the current transaction commits.

    A burst of changes (an import, a form with many fields) leads to one queued run."""
    from .tasks import similarities_recompute_queued

    transaction.on_commit(similarities_recompute_queued)
