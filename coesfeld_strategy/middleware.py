"""Project-wide middleware."""

import time

from django.conf import settings


class ServerTimingMiddleware:
    """Report the server-side duration of every response in a ``Server-Timing`` header, in
    development (``DEBUG``) or when ``SERVER_TIMING`` is set (the benchmarks set it for the
    gunicorn they start).

    Browsers show it in their developer tools; the benchmark (``make bench``) reads it to
    measure server time without the network. Production does not send it: a precise server
    time tells an attacker which code path a request took (e.g. whether an address has an
    account)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (settings.DEBUG or getattr(settings, "SERVER_TIMING", False)):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response
