"""The bodies (mayors' conference, Kreistag, the 11 councils) and their decisions."""

__all__ = []
