"""Celery tasks of the workshop minutess."""

__all__: list[str] = []
