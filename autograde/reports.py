"""The class's spreadsheets: summary.csv, written from the results, and grades.csv (nbgrader's
export) told apart from a missing submission, with a late flag.

summary.csv has one row per student and lesson: the edition handed in (ja, en), the score, the reason
when a notebook could not be graded or grading stopped early, the grading time and, with control
groups, the peak memory of its processes and how many of them were killed for memory.
"""

import csv
from collections.abc import Callable
from pathlib import Path

from nbgrader.api import Gradebook

from autograde.results import SubmissionResult


def write_summary(results: list[SubmissionResult], path: Path) -> None:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                "student_id",
                "lesson",
                "edition",
                "score",
                "max_score",
                "failure",
                "seconds",
                "peak_memory_mb",
                "memory_kills",
            ]
        )
        for result in results:  # (the last two stay empty without control groups)
            peak = "" if result.peak_memory_mb is None else f"{result.peak_memory_mb:.0f}"
            kills = "" if result.memory_kills is None else result.memory_kills
            failure = " ".join((result.failure or "").split())  # one line, whatever the reason held
            writer.writerow(
                [
                    result.student,
                    result.lesson,
                    result.edition or "",
                    result.score,
                    result.max_score,
                    failure,
                    f"{result.seconds:.1f}",
                    peak,
                    kills,
                ]
            )


def mark_missing(grades: Path, submitted: set[tuple[str, str]]) -> None:
    """nbgrader's export writes a 0 for a lesson a student never handed in, the same as a real 0. Add a
    `submission` column (`graded`, or `missing`) and leave a missing one's score empty. (Submissions
    that could not be graded at all are `graded` with 0; summary.csv says why.)"""

    def mark(row: dict[str, str]) -> None:
        if (row["student_id"], row["assignment"]) in submitted:
            row["submission"] = "graded"
        else:
            row.update(submission="missing", raw_score="", score="")

    _add_column(grades, "submission", mark)


def mark_late(grades: Path, gradebook_url: str) -> None:
    """A `late` column: `yes` when nbgrader counts the submission late against its lesson's due date
    (a student's extension included), `no` when it does not, empty without a due date or without the
    submission's time (nbgrader's export already has both, `duedate` and `timestamp`)."""
    with Gradebook(gradebook_url) as gradebook:
        lateness = {
            (submission.student_id, assignment.name): submission.total_seconds_late > 0
            for assignment in gradebook.assignments
            for submission in assignment.submissions
            if submission.timestamp is not None and submission.duedate is not None
        }

    def mark(row: dict[str, str]) -> None:
        late = lateness.get((row["student_id"], row["assignment"]))
        row["late"] = "" if late is None else "yes" if late else "no"

    _add_column(grades, "late", mark)


def _add_column(grades: Path, name: str, fill: Callable[[dict[str, str]], None]) -> None:
    """grades.csv rewritten with column `name` at the end, each row completed by `fill`."""
    with grades.open(newline="") as file:
        reader = csv.DictReader(file)
        rows, fields = list(reader), [*(reader.fieldnames or []), name]
    for row in rows:
        fill(row)
    with grades.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
