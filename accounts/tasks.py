"""Background work of the accounts app, done by the Celery worker."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation


@shared_task(
    bind=True, max_retries=5, default_retry_delay=60, name="accounts.send_invitation_email"
)
def send_invitation_email(self, invitation_id: int) -> bool:
    """Send the e-mail with the link of an open invitation. Sending twice does no harm."""
    from .services import invitation_token

    invitation = (
        Invitation.objects.open()
        .select_related("invited_by", "municipality")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return False
    link = settings.SITE_URL + reverse(
        "accounts:invitation_accept", kwargs={"token": invitation_token(invitation)}
    )
    with translation.override("de"):
        context = {"invitation": invitation, "link": link}
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except OSError as error:
        raise self.retry(exc=error) from error
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True
