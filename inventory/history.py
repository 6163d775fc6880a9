"""The change history of an inventory entry, readable: who, when, which field from what to what."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from strategy.models import FundingProgramme, Municipality, ThemeField

_TYPES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
_M2M_TARGETS = {
    "partners": (Municipality, "municipality"),
    "theme_fields": (ThemeField, "themefield"),
    "funding_programmes": (FundingProgramme, "fundingprogramme"),
}


def _display(model, field_name, value, names):
    if field_name in _M2M_TARGETS:
        target, column = _M2M_TARGETS[field_name]
        ids = sorted(row.get(column) for row in value or [])
        return ", ".join(names[target].get(pk, "?") for pk in ids) or "–"
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value) or "–"
    if field.is_relation and value is not None:
        return names[Municipality].get(value, value)
    if value in (None, ""):
        return "–"
    return value


def entry_history(*, entry) -> list[dict]:
    """All versions of ``entry``, newest first, each with its changed fields."""
    model = entry.__class__
    records = list(entry.history.select_related("history_user").order_by("history_date", "pk"))
    names = {
        Municipality: dict(Municipality.objects.values_list("pk", "name")),
        ThemeField: dict(ThemeField.objects.values_list("pk", "name")),
        FundingProgramme: dict(FundingProgramme.objects.values_list("pk", "name")),
    }
    result, previous = [], None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                try:
                    label = model._meta.get_field(change.field).verbose_name
                except FieldDoesNotExist:
                    label = change.field
                changes.append(
                    {
                        "field": label,
                        "old": _display(model, change.field, change.old, names),
                        "new": _display(model, change.field, change.new, names),
                    }
                )
        result.append(
            {
                "at": record.history_date,
                "user": record.history_user,
                "type": _TYPES.get(record.history_type, record.history_type),
                "changes": changes,
            }
        )
        previous = record
    return list(reversed(result))
