"""The audit log: who did what and when, for district staff to read.

Other apps record events through ``audit_record``; the spine owns the model so every app may
write to it without depending on each other."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    PERMISSION_CHANGE = "permission_change", _("Role or permission changed")
    INVITATION = "invitation", _("Invitation")
    EXPORT = "export", _("Export")
    PHASE_TRANSITION = "phase_transition", _("Process moved")
    RENDER = "render", _("Document rendered")
    DOWNLOAD = "download", _("Document downloaded")
    PERSONAL_DATA = "personal_data", _("Personal data exported or deleted")
    CONTENT_PAGE = "content_page", _("Legal page changed")
    EDITION_START = "edition_start", _("New edition started")
    DECISION = "decision", _("Decision recorded")
    PUBLICATION = "publication", _("Adopted strategy published")


def client_ip(request) -> str:
    """The client address as seen by Django (REMOTE_ADDR; the proxy sets it correctly)."""
    return (request.META.get("REMOTE_ADDR") or "")[:45] if request is not None else ""


def audit_record(
    *, action: str, actor=None, request=None, target=None, summary: str = "", details=None
):
    """Store one audit event. ``target`` is any model instance the event is about."""
    from .models import AuditEvent

    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=str(actor)[:200] if actor is not None else "",
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_name=str(target)[:200] if target is not None else "",
        summary=summary[:500],
        details=details or {},
        ip_address=client_ip(request),
    )
