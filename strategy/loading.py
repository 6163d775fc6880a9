"""A switch for bulk loading (restoring a backup): apps skip their side effects then."""

import contextvars
from contextlib import contextmanager

_loading = contextvars.ContextVar("portal_bulk_loading", default=False)


@contextmanager
def bulk_loading():
    """Within this block, signal handlers that would start background work do nothing."""
    token = _loading.set(True)
    try:
        yield
    finally:
        _loading.reset(token)


def is_bulk_loading() -> bool:
    return _loading.get()
