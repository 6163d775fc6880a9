"""Celery tasks of the workshop invitations."""

__all__: list[str] = []
