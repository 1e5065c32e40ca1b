from django.utils.encoding import force_str


class DomainError(Exception):
    """A business rule refused an action. `code` is stable for tests; `message` is shown to the user."""

    def __init__(self, code: str, message, *, errors: list | None = None):
        self.code = code
        self.message = force_str(message)
        self.errors = errors or []
        super().__init__(f"[{code}] {self.message}")

    def __str__(self):
        return self.message


class ScopeError(DomainError):
    """The user's role or region/organisation does not cover the object."""
