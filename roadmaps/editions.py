"""Starting an update (Fortschreibung) of an adopted edition.

The spine opens the new edition and archives the old one (``strategy.editions``); this module
adds copying the elaborated content, in the same transaction, and records the audit event. It
lives in roadmaps because the spine may not import the feature apps."""

from django.db import transaction

from strategy.audit import AuditAction, audit_record
from strategy.editions import EditionError, edition_process_open
from strategy.models import StrategyProcess

from .edition_copy import edition_content_copy

__all__ = ["EditionError", "edition_start"]


@transaction.atomic
def edition_start(
    *, source: StrategyProcess, title: str, year: int, start_phase: str, user, request=None
) -> StrategyProcess:
    """Start a new edition from the adopted edition ``source``: a new process in
    ``start_phase`` (initialisation or elaboration) with a copy of the content; ``source``
    becomes read-only. Raises ``EditionError`` (nothing written) when ``source`` is not
    adopted, was already updated, or the input is invalid."""
    edition = edition_process_open(
        source=source, title=title, year=year, start_phase=start_phase, user=user
    )
    copied = edition_content_copy(source=source, target=edition, user=user)
    audit_record(
        action=AuditAction.EDITION_START,
        actor=user,
        request=request,
        target=edition,
        summary=f"{source} → {edition}",
        details={
            "source": source.pk,
            "edition": edition.pk,
            "start_phase": start_phase,
            "copied": copied,
        },
    )
    return edition
