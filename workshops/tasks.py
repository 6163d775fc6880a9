"""Background work of the workshops; Celery finds the tasks through this module."""

from .invitation_tasks import *  # noqa: F403
from .minutes_tasks import *  # noqa: F403
