"""Project-wide views: health checks."""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from . import health


@login_not_required
@never_cache
def health_live(request):
    """Answers as long as the web process runs; also the benchmark's ceiling (no DB access)."""
    return HttpResponse("ok", content_type="text/plain")


def _may_see_details(request) -> bool:
    """Staff, or a monitoring system sending ``Authorization: Bearer <HEALTH_TOKEN>``."""
    if request.user.is_authenticated and request.user.is_staff:
        return True
    token = settings.HEALTH_TOKEN
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given, token)


@login_not_required
@never_cache
def health_ready(request):
    """Database, broker (Redis) and Celery workers, as JSON for monitoring.

    503 when the database or the broker fails; a missing worker makes the status "degraded"
    (pages still work, background jobs wait). The result is at most ``HEALTH_CACHE_SECONDS``
    old (``health.health_result``); anonymous callers get only the status, staff and holders
    of the health token also what was checked and when."""
    result = health.health_result()
    body = (
        result.details(health.clock()) if _may_see_details(request) else {"status": result.status}
    )
    return JsonResponse(body, status=result.http_status)
