"""Celery tasks of the workshop invitations.

``dispatch_invitations`` finds the invitees who lack the current calendar version and queues
one ``send_invitation`` per invitee. ``send_invitation`` claims its invitee with a conditional
UPDATE before sending, so running it twice (a retry, a duplicate message, two workers) sends
one e-mail: ``sent_sequence`` records which SEQUENCE the invitee already has, and
``cancellation_sent_at`` whether the cancellation went out.

A failure is recorded on the invitee (``send_failure``), so the page shows it with a way to
send again: a message the worker could not hand on, an e-mail that cannot be composed from
the stored data, or a mail server that still fails after the last retry."""

import logging
from email.mime.text import MIMEText

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from strategy.broker import enqueue
from strategy.mail import SendFailure, render_subject

from .calendar import CANCEL, REQUEST, invitation_calendar
from .models import Workshop, WorkshopInvitation
from .planning_selectors import invitations_due, session_plans

__all__ = ["dispatch_invitations", "invitations_send_failed", "send_invitation"]

logger = logging.getLogger(__name__)


def invitations_send_failed(invitations, *, failure: str) -> int:
    """Record on ``invitations`` (a queryset) why their e-mail was not sent."""
    return invitations.update(send_failure=failure, send_failed_at=timezone.now())


@shared_task(name="workshops.dispatch_invitations")
def dispatch_invitations(workshop_id: int, updates_only: bool = False) -> int:
    """Queue one e-mail per invitee who lacks the current version of the workshop: the
    invitation (or, with ``updates_only``, only updates to those who got an earlier one), or
    the cancellation of a cancelled workshop. Returns how many were queued."""
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    if workshop is None:
        return 0
    due = invitations_due(workshop=workshop, updates_only=updates_only)
    ids = list(due.values_list("pk", flat=True))
    for invitation_id in ids:
        if not enqueue(send_invitation, invitation_id):
            invitations_send_failed(
                WorkshopInvitation.objects.filter(pk=invitation_id),
                failure=SendFailure.NOT_QUEUED,
            )
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
        subject = render_subject(f"workshops/email/{prefix}_subject.txt", context)
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
    file. Returns False when there is nothing to send (already sent, or gone) or when sending
    failed for good (recorded on the invitee)."""
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
    sent = {"send_failure": "", "send_failed_at": None}
    if workshop.status == Workshop.Status.CANCELLED:
        if invitation.sent_sequence < 0 or invitation.cancellation_sent_at:
            return False  # never invited, or already told
        claimed = invitations.filter(cancellation_sent_at=None).update(
            cancellation_sent_at=now, sent_sequence=workshop.sequence, **sent
        )
        method, is_update = CANCEL, False
    else:
        if invitation.sent_sequence >= workshop.sequence:
            return False
        claimed = invitations.filter(sent_sequence=invitation.sent_sequence).update(
            sent_sequence=workshop.sequence, sent_at=now, **sent
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
            if self.request.retries < self.max_retries:
                raise self.retry(exc=error) from error
            logger.warning("invitee %s: the mail server failed: %s", invitation_id, error)
            failure = SendFailure.MAIL_SERVER
        else:
            logger.exception("invitee %s: the e-mail could not be composed", invitation_id)
            failure = SendFailure.MESSAGE
        invitations_send_failed(invitations, failure=failure)
        return False
    return True
