"""Background work of the adoption app; Celery finds the tasks through this module."""

from .decision_tasks import *  # noqa: F403
