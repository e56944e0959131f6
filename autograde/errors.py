"""The one error type that `python -m autograde` reports as a single line (no traceback), and the
one-line form of any exception (summary.csv holds one line per submission)."""


class AutogradeError(Exception):
    """Bad input or a failed step: the message says what was wrong and what to do."""


def one_line(error: BaseException) -> str:
    """`TypeName: first line of the message`, at most 300 characters."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0][:300]}" if lines else type(error).__name__
