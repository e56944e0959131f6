"""The one error type that `python -m autograde` reports as a single line (no traceback)."""


class AutogradeError(Exception):
    """Bad input or a failed step: the message says what was wrong and what to do."""
