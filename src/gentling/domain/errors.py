"""Typed errors. Each interface turns them into its own clear message:
a CLI message and exit code, a form error, a 4xx JSON body."""


class GentlingError(Exception):
    """Something the keeper asked for cannot be done; `message` says why and how to fix it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(GentlingError):
    def __init__(self, field: str, message: str):
        super().__init__(message, field)


class NotFound(GentlingError):
    pass


class NotAllowed(GentlingError):
    pass
