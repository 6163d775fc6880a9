"""The Celery application; workers start with ``celery -A coesfeld_strategy worker``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coesfeld_strategy.settings")

app = Celery("coesfeld_strategy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="coesfeld_strategy.ping")
def ping() -> str:
    """Answer 'pong'; used by health checks and tests to prove a worker is listening."""
    return "pong"
