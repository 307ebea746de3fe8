"""Errors a user can act on. The CLI prints their message, never a traceback."""


class UserError(Exception):
    """Bad configuration or arguments: the run cannot start."""


class FileRejectedError(Exception):
    """A whole file cannot be read (corrupt, unreadable layout); it goes to quarantine."""


class ObjectVanishedError(Exception):
    """A listed source object was gone when it was read (DMS or someone deleted it)."""


class LockHeldError(Exception):
    """Another landing run holds the lake's lock."""
