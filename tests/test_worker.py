"""A real Celery worker process (Redis when REDIS_URL is set, else the filesystem broker)
sends invitation e-mails."""

import pytest

from accounts.models import Invitation, Role
from accounts.tasks import send_invitation_email
from tests.real_services import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(start_worker, tmp_path):
    """A real worker on a queue of its own; its e-mails are written as files to ``mail_dir``."""
    mail_dir = tmp_path / "mail"
    process = start_worker(
        env={
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
    )
    return {"queue": process.queue, "mail_dir": mail_dir, "process": process}


def test_worker_sends_the_invitation_email(worker, reference):
    invitation = Invitation.objects.create(
        email="gast@example.org",
        first_name="Gerda",
        last_name="Gast",
        role=Role.WORKING_GROUP,
    )
    revoked = Invitation.objects.create(
        email="weg@example.org", role=Role.COUNCILLOR, revoked_at=invitation.created_at
    )
    send_invitation_email.apply_async(args=[revoked.pk], queue=worker["queue"])
    send_invitation_email.apply_async(args=[invitation.pk], queue=worker["queue"])

    assert wait_for(lambda: Invitation.objects.get(pk=invitation.pk).sent_at is not None), (
        "the worker did not send the invitation"
    )
    files = list(worker["mail_dir"].glob("*.log"))
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    assert "To: gast@example.org" in text
    assert "/konto/einladung/" in text
    # The revoked invitation was not sent.
    assert "weg@example.org" not in text
    assert Invitation.objects.get(pk=revoked.pk).sent_at is None


def test_worker_recomputes_similarities_and_sends_reminders(worker, reference):
    from inventory.models import InventoryReminder, ProjectSimilarity, SimilarityRun
    from inventory.tasks import recompute_similarities, send_inventory_reminder
    from strategy.models import ThemeField
    from tests.factories import ProjectFactory, UserFactory

    infrastructure = ThemeField.objects.get(name="Digitale Infrastruktur")
    first = ProjectFactory(
        municipality=reference["Dülmen"],
        title="Breitbandausbau in den Außenbereichen",
        theme_fields=[infrastructure],
    )
    second = ProjectFactory(
        municipality=reference["Nottuln"],
        title="Ausbau Breitband für Gewerbegebiete",
        theme_fields=[infrastructure],
    )
    ProjectSimilarity.objects.all().delete()
    SimilarityRun.objects.all().delete()
    run = SimilarityRun.objects.create()
    recompute_similarities.apply_async(args=[run.pk], queue=worker["queue"])

    UserFactory(role=Role.MUNICIPAL_REP, municipality=reference["Olfen"], email="olfen@example.org")
    reminder = InventoryReminder.objects.create(municipality=reference["Olfen"])
    send_inventory_reminder.apply_async(args=[reminder.pk], queue=worker["queue"])

    def finished():
        run.refresh_from_db()
        return run.status in (SimilarityRun.Status.DONE, SimilarityRun.Status.FAILED)

    assert wait_for(finished), "the worker did not finish the similarity run"
    assert run.status == SimilarityRun.Status.DONE, run.error
    assert run.projects == 2 and run.seconds is not None
    pair = ProjectSimilarity.objects.get(project=first)
    assert pair.other == second and pair.shared_fields == "Digitale Infrastruktur"

    assert wait_for(lambda: InventoryReminder.objects.get(pk=reminder.pk).sent_at is not None)
    text = "".join(f.read_text(encoding="utf-8") for f in worker["mail_dir"].glob("*.log"))
    assert "To: olfen@example.org" in text and "Bestandsaufnahme" in text
