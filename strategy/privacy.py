"""Personal data of one person (DSGVO Art. 15 export, Art. 17 erasure).

The export scans every model for references to the account, so later apps are covered without
changes here. Erasure pseudonymises: contributions stay, the person behind them does not. Apps
that copy names or addresses into their own fields register a pseudonymiser in their
``AppConfig.ready`` with ``register_pseudonymiser``."""

from collections.abc import Callable

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.db import transaction

from accounts.authority import AccountProtectedError, erase_refusal, lock_superusers

from .audit import AuditAction, audit_record

_PSEUDONYMISERS: list[Callable] = []
# Never exported: secrets and technical tables.
_SKIPPED_FIELDS = {"password"}


def register_pseudonymiser(function: Callable) -> Callable:
    """Register ``function(user, pseudonym)`` to be called when a person's data is erased."""
    _PSEUDONYMISERS.append(function)
    return function


def pseudonym_for(user) -> str:
    return f"Gelöschte Person {user.pk}"


def _user_references():
    """(model, field name) of every foreign key to the user model, across all apps."""
    user_model = get_user_model()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.many_to_one and field.concrete and field.related_model is user_model:
                yield model, field.name


def personal_data_export(*, user) -> dict:
    """Everything the portal stores about ``user``: the account and every record linked to it."""
    account = serializers.serialize("python", [user])[0]
    account["fields"] = {
        key: value for key, value in account["fields"].items() if key not in _SKIPPED_FIELDS
    }
    records = {}
    for model, field_name in _user_references():
        rows = model._default_manager.filter(**{field_name: user})
        if model is get_user_model() or not rows.exists():
            continue
        label = f"{model._meta.label} ({field_name})"
        records[label] = serializers.serialize("python", rows)
    return {"account": account, "records": records}


@transaction.atomic
def personal_data_erase(*, user, by, request=None) -> str:
    """Pseudonymise ``user``: the account can no longer log in and carries no name or address;
    everything the person contributed stays, attributed to the pseudonym.

    ``by`` may not erase their own account, one with more rights than their own, nor the
    last active superuser: ``AccountProtectedError`` says so and nothing changes."""
    # Decide on the stored state, with the superusers locked: two administrators erasing
    # each other at the same moment must not leave the portal without one.
    lock_superusers()
    user.refresh_from_db()
    refusal = erase_refusal(actor=by, target=user)
    if refusal:
        raise AccountProtectedError(refusal)
    pseudonym = pseudonym_for(user)
    # The apps' pseudonymisers run first: they may look up copies by the old e-mail address.
    for function in _PSEUDONYMISERS:
        function(user, pseudonym)
    user.username = f"geloescht-{user.pk}"
    user.first_name, user.last_name = "Gelöschte", f"Person {user.pk}"
    user.email = ""
    user.organisation = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    from .models import AuditEvent

    AuditEvent.objects.filter(actor=user).update(actor_name=pseudonym)
    audit_record(
        action=AuditAction.PERSONAL_DATA,
        actor=by,
        request=request,
        target=user,
        summary="erased (pseudonymised)",
    )
    return pseudonym
