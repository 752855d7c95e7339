"""Domain errors carrying their HTTP status; transports translate them to their wire shape."""

from __future__ import annotations


class DomainError(Exception):
    """An expected failure with a Spanish message for the user and an HTTP status."""

    status_code = 400

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class BadRequest(DomainError):
    """The input is malformed."""

    status_code = 400


class Unauthorized(DomainError):
    """No valid credentials."""

    status_code = 401


class Forbidden(DomainError):
    """Valid credentials without the right to act."""

    status_code = 403


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know it exists."""

    status_code = 404


class Conflict(DomainError):
    """The request conflicts with the current state."""

    status_code = 409


class TooLarge(DomainError):
    """The body or a field is over its limit."""

    status_code = 413


class Unprocessable(DomainError):
    """Well-formed input that cannot be accepted."""

    status_code = 422


class TooManyRequests(DomainError):
    """Over the rate limit; `retry_after` says in how many seconds to try again."""

    status_code = 429

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class Unavailable(DomainError):
    """A service this request depends on (database, Redis) cannot be reached right now."""

    status_code = 503
