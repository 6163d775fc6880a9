"""Background work of the accounts app, done by the Celery worker."""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from strategy.mail import SendFailure, render_subject

from .models import Invitation

logger = logging.getLogger(__name__)


@shared_task(
    bind=True, max_retries=5, default_retry_delay=60, name="accounts.send_invitation_email"
)
def send_invitation_email(self, invitation_id: int) -> bool:
    """Send the e-mail with the link of an open invitation. Sending twice does no harm.

    A mail server that cannot be reached is tried again (``max_retries``); when the last try
    fails, or the e-mail cannot be composed at all, the failure is recorded on the invitation
    for the user list, instead of leaving it "not sent yet" for ever."""
    from .services import invitation_send_result, invitation_token

    invitation = (
        Invitation.objects.open()
        .select_related("invited_by", "municipality")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return False
    try:
        link = settings.SITE_URL + reverse(
            "accounts:invitation_accept", kwargs={"token": invitation_token(invitation)}
        )
        with translation.override("de"):
            context = {"invitation": invitation, "link": link}
            subject = render_subject("accounts/email/invitation_subject.txt", context)
            body = render_to_string("accounts/email/invitation_body.txt", context)
        send_mail(subject, body, None, [invitation.email])
    except OSError as error:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=error) from error
        logger.warning("invitation %s: the mail server failed: %s", invitation_id, error)
        invitation_send_result(invitation_id=invitation_id, failure=SendFailure.MAIL_SERVER)
        return False
    except Exception:
        logger.exception("invitation %s: the e-mail could not be composed", invitation_id)
        invitation_send_result(invitation_id=invitation_id, failure=SendFailure.MESSAGE)
        return False
    invitation_send_result(invitation_id=invitation_id)
    return True


@shared_task(bind=True, max_retries=5, default_retry_delay=60, name="accounts.send_password_reset")
def send_password_reset(self, email: str) -> int:
    """Send a link to choose a new password to every active account with ``email`` that has
    a usable password (Django's rules); for an unknown address nothing. Returns how many
    e-mails were sent. Failures are logged only: the person asking is not told either way."""
    users = list(PasswordResetForm().get_users(email))
    if not users:
        return 0
    messages = []
    with translation.override("de"):
        for user in users:
            link = settings.SITE_URL + reverse(
                "accounts:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
            context = {"user": user, "link": link}
            subject = render_subject("accounts/email/password_reset_subject.txt", context)
            body = render_to_string("accounts/email/password_reset_body.txt", context)
            messages.append(EmailMessage(subject, body, None, [user.email]))
    try:
        get_connection().send_messages(messages)
    except OSError as error:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=error) from error
        logger.warning("password reset e-mail not sent: %s", error)
        return 0
    return len(messages)
