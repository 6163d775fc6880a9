"""A real Celery worker process (Redis when REDIS_URL is set, else the filesystem broker)
sends invitation e-mails."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Invitation, Role
from accounts.tasks import send_invitation_email
from coesfeld_strategy.celery import app as celery_app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """Start a worker on a queue of its own, so no other worker takes the test's tasks."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "DJANGO_SETTINGS_MODULE": "coesfeld_strategy.settings",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "coesfeld_strategy", "worker", "-Q", queue]
        + ["--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    celery_app.conf.task_always_eager = False
    try:
        yield {"queue": queue, "mail_dir": mail_dir, "process": process}
    finally:
        celery_app.conf.task_always_eager = True
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output)


def _wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


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

    assert _wait_for(lambda: Invitation.objects.get(pk=invitation.pk).sent_at is not None), (
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

    assert _wait_for(finished), "the worker did not finish the similarity run"
    assert run.status == SimilarityRun.Status.DONE, run.error
    assert run.projects == 2 and run.seconds is not None
    pair = ProjectSimilarity.objects.get(project=first)
    assert pair.other == second and pair.shared_fields == "Digitale Infrastruktur"

    assert _wait_for(lambda: InventoryReminder.objects.get(pk=reminder.pk).sent_at is not None)
    text = "".join(f.read_text(encoding="utf-8") for f in worker["mail_dir"].glob("*.log"))
    assert "To: olfen@example.org" in text and "Bestandsaufnahme" in text
