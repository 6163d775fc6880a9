"""Models of the adoption phase: the strategy document (PDF renders of frozen versions) and
the bodies that deliberate and adopt it with their decisions."""

from .decisions import *  # noqa: F403
from .documents import *  # noqa: F403
