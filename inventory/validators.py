"""Kept because the first migrations name ``inventory.validators.validate_pdf``; the check
itself lives with the other upload rules in ``strategy.uploads``."""

from strategy.uploads import validate_pdf

__all__ = ["validate_pdf"]
