"""Audit log entries for logins and for changes of a person's role or permissions (including
groups and single permissions granted in the Django admin)."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from .audit import AuditAction, audit_record

WATCHED_FIELDS = ("role", "municipality_id", "is_active", "is_staff", "is_superuser")


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(action=AuditAction.LOGIN, actor=user, request=request, target=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, request=request, target=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        summary=username,
        details={"username": username},
    )


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _remember_permissions(sender, instance, raw=False, **kwargs):
    if raw or not instance.pk:
        instance._audit_before = None
        return
    before = sender.objects.filter(pk=instance.pk).values(*WATCHED_FIELDS).first()
    instance._audit_before = before


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _permissions_changed(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    after = {field: getattr(instance, field) for field in WATCHED_FIELDS}
    if created:
        changes = {field: [None, value] for field, value in after.items()}
    elif before is None:
        return
    else:
        changes = {f: [before[f], after[f]] for f in WATCHED_FIELDS if before[f] != after[f]}
    if changes:
        audit_record(
            action=AuditAction.PERMISSION_CHANGE,
            target=instance,
            summary=", ".join(sorted(changes)),
            details={"changes": changes, "created": created},
        )


def _grants_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Groups or single permissions of a person added or removed (the Django admin)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    field = "groups" if sender is _user_model().groups.through else "user_permissions"
    if reverse:
        # Seen from the group or permission: record it for each person concerned.
        users = list(
            instance.user_set.all()
            if action == "pre_clear"
            else _user_model().objects.filter(pk__in=pk_set or ())
        )
        names = [str(instance)]
    else:
        users = [instance]
        if action == "pre_clear":
            pk_set = set(getattr(instance, field).values_list("pk", flat=True))
        names = sorted(str(obj) for obj in model.objects.filter(pk__in=pk_set or ()))
    if not names:
        return
    change = "removed" if action in ("post_remove", "pre_clear") else "added"
    for user in users:
        audit_record(
            action=AuditAction.PERMISSION_CHANGE,
            target=user,
            summary=f"{field} {change}: {', '.join(names)}"[:500],
            details={"changes": {field: {change: names}}},
        )


def _user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


for _through in (_user_model().groups.through, _user_model().user_permissions.through):
    m2m_changed.connect(_grants_changed, sender=_through, dispatch_uid=f"audit-{_through}")
