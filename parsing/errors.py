"""Errors raised for input that cannot become a bulletin."""


class BulletinError(ValueError):
    """A raw file that cannot be ingested; `kind` is a stable machine-readable reason."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"
