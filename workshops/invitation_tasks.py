"""Celery tasks of the workshop invitations.

``dispatch_invitations`` finds the invitees who lack the current calendar version and queues
one ``send_invitation`` per invitee. ``send_invitation`` claims its invitee with a conditional
UPDATE before sending, so running it twice (a retry, a duplicate message, two workers) sends
one e-mail: ``sent_sequence`` records which SEQUENCE the invitee already has, and
``cancellation_sent_at`` whether the cancellation went out."""

from email.mime.text import MIMEText

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .calendar import CANCEL, REQUEST, invitation_calendar
from .models import Workshop, WorkshopInvitation
from .planning_selectors import session_plans

__all__ = ["dispatch_invitations", "send_invitation"]


@shared_task(name="workshops.dispatch_invitations")
def dispatch_invitations(workshop_id: int, updates_only: bool = False) -> int:
    """Queue one e-mail per invitee who lacks the current version of the workshop: the
    invitation (or, with ``updates_only``, only updates to those who got an earlier one), or
    the cancellation of a cancelled workshop. Returns how many were queued."""
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    if workshop is None:
        return 0
    invitations = workshop.invitations.all()
    if workshop.status == Workshop.Status.CANCELLED:
        invitations = invitations.filter(sent_sequence__gte=0, cancellation_sent_at=None)
    else:
        invitations = invitations.filter(sent_sequence__lt=workshop.sequence)
        if updates_only:
            invitations = invitations.filter(sent_sequence__gte=0)
    ids = list(invitations.values_list("pk", flat=True))
    for invitation_id in ids:
        send_invitation.delay(invitation_id)
    return len(ids)


def _calendar_part(content: bytes, method: str) -> MIMEText:
    part = MIMEText(content.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    filename = "absage.ics" if method == CANCEL else "einladung.ics"
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _message(invitation: WorkshopInvitation, workshop: Workshop, *, method: str, is_update: bool):
    sessions = session_plans(workshop=workshop)
    rsvp_url = settings.SITE_URL + reverse("workshops:rsvp", kwargs={"token": invitation.token})
    with translation.override("de"):
        context = {
            "invitation": invitation,
            "workshop": workshop,
            "sessions": sessions,
            "rsvp_url": rsvp_url,
            "is_update": is_update,
        }
        prefix = "cancellation" if method == CANCEL else "invitation"
        subject = render_to_string(f"workshops/email/{prefix}_subject.txt", context).strip()
        body = render_to_string(f"workshops/email/{prefix}_body.txt", context)
        ics = invitation_calendar(
            workshop=workshop,
            sessions=sessions,
            invitation=invitation,
            method=method,
            rsvp_url=rsvp_url,
        )
    message = EmailMessage(subject, body, None, [invitation.email])
    message.attach(_calendar_part(ics, method))
    return message


@shared_task(bind=True, max_retries=5, default_retry_delay=60, name="workshops.send_invitation")
def send_invitation(self, invitation_id: int) -> bool:
    """Send one invitee the current invitation, update or cancellation with its calendar
    file. Returns False when there is nothing to send (already sent, or gone)."""
    invitation = (
        WorkshopInvitation.objects.select_related("workshop").filter(pk=invitation_id).first()
    )
    if invitation is None:
        return False
    workshop = invitation.workshop
    invitations = WorkshopInvitation.objects.filter(pk=invitation.pk)
    previous = {
        "sent_sequence": invitation.sent_sequence,
        "sent_at": invitation.sent_at,
        "cancellation_sent_at": invitation.cancellation_sent_at,
    }
    now = timezone.now()
    if workshop.status == Workshop.Status.CANCELLED:
        if invitation.sent_sequence < 0 or invitation.cancellation_sent_at:
            return False  # never invited, or already told
        claimed = invitations.filter(cancellation_sent_at=None).update(
            cancellation_sent_at=now, sent_sequence=workshop.sequence
        )
        method, is_update = CANCEL, False
    else:
        if invitation.sent_sequence >= workshop.sequence:
            return False
        claimed = invitations.filter(sent_sequence=invitation.sent_sequence).update(
            sent_sequence=workshop.sequence, sent_at=now
        )
        method, is_update = REQUEST, invitation.sent_sequence >= 0
    if not claimed:
        return False  # another run got there first
    try:
        _message(invitation, workshop, method=method, is_update=is_update).send()
    except Exception as error:
        # Not sent: give the claim back so the retry (or the next "send") picks it up.
        invitations.update(**previous)
        if isinstance(error, OSError):
            raise self.retry(exc=error) from error
        raise
    return True
