"""Background work of the inventory."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation


def similarities_recompute_queued() -> None:
    """Queue a recomputation unless one is already waiting."""
    from .models import SimilarityRun

    if SimilarityRun.objects.filter(status=SimilarityRun.Status.QUEUED).exists():
        return
    run = SimilarityRun.objects.create()
    recompute_similarities.apply_async(args=[run.pk], countdown=2)


@shared_task(name="inventory.recompute_similarities")
def recompute_similarities(run_id: int) -> None:
    """Recompute all project similarities and synergy candidates (filled in below)."""


@shared_task(
    bind=True, name="inventory.send_inventory_reminder", max_retries=5, default_retry_delay=60
)
def send_inventory_reminder(self, reminder_id: int) -> int:
    """E-mail the representatives of a municipality that its inventory is still open.

    Idempotent: a reminder that was sent already is not sent again."""
    from accounts.models import Role, User

    from .models import InventoryReminder

    reminder = (
        InventoryReminder.objects.select_related("municipality", "requested_by")
        .filter(pk=reminder_id, sent_at__isnull=True)
        .first()
    )
    if reminder is None:
        return 0
    recipients = list(
        User.objects.filter(
            municipality=reminder.municipality,
            is_active=True,
            role__in=[Role.MUNICIPAL_REP, Role.DISTRICT_STAFF],
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    link = settings.SITE_URL + reverse(
        "inventory:municipality_inventory", kwargs={"pk": reminder.municipality_id}
    )
    with translation.override("de"):
        context = {"reminder": reminder, "link": link}
        subject = render_to_string("inventory/email/reminder_subject.txt", context).strip()
        body = render_to_string("inventory/email/reminder_body.txt", context)
    try:
        send_mass_mail([(subject, body, None, [email]) for email in recipients])
    except OSError as error:
        raise self.retry(exc=error) from error
    InventoryReminder.objects.filter(pk=reminder.pk).update(
        sent_at=timezone.now(), recipients=len(recipients)
    )
    return len(recipients)
