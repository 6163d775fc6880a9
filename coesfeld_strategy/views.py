"""Project-wide views: health checks."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app as celery_app


@login_not_required
@never_cache
def health_live(request):
    """Answers as long as the web process runs; also the benchmark's ceiling (no DB access)."""
    return HttpResponse("ok", content_type="text/plain")


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure is reported, not raised
        return f"error: {error.__class__.__name__}"
    return "ok"


def _check_broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return f"error: {error.__class__.__name__}"
    return "ok"


def _count_workers() -> int | None:
    try:
        replies = celery_app.control.ping(timeout=1.0)
    except Exception:  # noqa: BLE001 - a transport without broadcast cannot tell
        return None
    return len(replies)


@login_not_required
@never_cache
def health_ready(request):
    """Database, broker (Redis) and Celery workers, as JSON for monitoring.

    503 when the database or the broker fails; a missing worker makes the status "degraded"
    (pages still work, background jobs wait)."""
    database, broker = _check_database(), _check_broker()
    workers = _count_workers() if broker == "ok" else None
    if database != "ok" or broker != "ok":
        status = "error"
    elif not workers:
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "database": database, "broker": broker, "workers": workers},
        status=503 if status == "error" else 200,
    )
