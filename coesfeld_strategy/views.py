"""Project-wide views: health check."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@login_not_required
@never_cache
def health_live(request):
    """Answers as long as the web process runs; also the benchmark's ceiling (no DB access)."""
    return HttpResponse("ok", content_type="text/plain")
