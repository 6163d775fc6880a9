"""Project-wide middleware."""

import time


class ServerTimingMiddleware:
    """Report the server-side duration of every response in a ``Server-Timing`` header.

    Browsers show it in their developer tools; the benchmark (``make bench``) reads it to
    measure server time without the network."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response
