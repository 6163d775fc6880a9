"""Audit log entries for logins and for changes of a person's role or permissions."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
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
