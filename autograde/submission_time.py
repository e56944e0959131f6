"""When a submission was handed in, and the due date it is held against.

nbgrader's exchange writes the time of each submission into `timestamp.txt` in its folder (`submit`
writes it, `collect` copies it into submitted/<student>/<lesson>/); a class handed in another way may
carry one too. The due date is nbgrader's own: the lesson's `duedate` in the gradebook, which
`grade --due-date` sets and the formgrader's Manage Assignments page edits. nbgrader then computes
each submission's lateness itself (`total_seconds_late`, extensions included).
"""

from datetime import UTC, datetime
from pathlib import Path

from nbgrader.utils import parse_utc

from autograde.errors import AutogradeError

TIMESTAMP_FILE = "timestamp.txt"  # (nbgrader's name)


def submitted_at(folder: Path) -> datetime | None:
    """The UTC time in `folder`'s timestamp.txt (as nbgrader reads it), or None: no file, or one that
    does not hold a time (the submission is graded all the same; only its lateness stays unknown)."""
    try:
        return parse_utc((folder / TIMESTAMP_FILE).read_text().strip())
    except (OSError, ValueError, OverflowError):
        return None


def parse_due_date(text: str) -> datetime:
    """`grade --due-date`: ISO 8601, "2026-12-01 23:59" (UTC) or with its offset, "2026-12-01 23:59+09:00";
    as UTC without a zone, the way nbgrader stores it. (Not nbgrader's parser: it reads "+0900" as 900
    seconds and an unknown zone name as UTC.)"""
    try:
        due = datetime.fromisoformat(text.strip())
    except ValueError:
        raise AutogradeError(
            f"--due-date {text!r} is not an ISO date and time; write e.g. '2026-12-01 23:59' (UTC) "
            "or '2026-12-01 23:59+09:00'"
        ) from None
    return due if due.tzinfo is None else due.astimezone(UTC).replace(tzinfo=None)
