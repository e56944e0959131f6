"""A class graded in shards (`grade --shard I/N`), on as many machines as a batch scheduler gives, and
the shards merged into the course directory one unsharded run would have written (`merge`).

A shard is a deterministic slice of the students: the class's student ids sorted, every Nth from the
Ith. Each array task of a scheduler sees the same submissions folder, so the N shards cover every
student exactly once, with no coordination between them.
"""

import csv
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook

from autograde.course import release
from autograde.errors import AutogradeError
from autograde.gradebook import set_due_date, store_scores
from autograde.lessons import select_lessons
from autograde.paths import CourseDir
from autograde.reports import mark_late, mark_missing
from autograde.runner import run_nbgrader

# What `grade` writes into OUT besides the gradebook and the two spreadsheets, one folder per student
# (per lesson, for logs/) under each: a shard's hold its own students only, so they are copied side by side.
COPIED_FOLDERS = ("submitted", "autograded", "feedback", "logs")


@dataclass(frozen=True)
class Shard:
    index: int  # 1 ... count
    count: int

    def students(self, students: list[str]) -> list[str]:
        """This shard's students of the class: the sorted ids, every count-th from the index-th."""
        return sorted(set(students))[self.index - 1 :: self.count]


def parse_shard(text: str) -> Shard:
    match = re.fullmatch(r"(\d+)/(\d+)", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise AutogradeError(f"--shard {text}: expected I/N with 1 <= I <= N, e.g. --shard 2/8")
    return Shard(int(match[1]), int(match[2]))


def merge_shards(shards: list[Path], out: Path, source: Path) -> None:
    """OUT as one `grade` of the whole class would have left it: the gradebook, summary.csv, grades.csv,
    the students' folders and the logs."""
    summaries = [_read_summary(shard) for shard in shards]
    rows = sorted((row for _, rows in summaries for row in rows), key=lambda row: (row["student_id"], row["lesson"]))
    submitted = {(row["student_id"], row["lesson"]) for row in rows}
    if len(submitted) < len(rows):
        raise AutogradeError("a student's lesson was graded in more than one shard: merge the shards of one run")
    out.mkdir(parents=True, exist_ok=True)
    if any((out / name).exists() for name in ("gradebook.db", *COPIED_FOLDERS)):
        raise AutogradeError(f"{out} already holds a graded class: merge into a new folder")
    with tempfile.TemporaryDirectory(prefix="autograde-merge-") as scratch:
        course = CourseDir(out, source, Path(scratch) / "release")
        release(course, select_lessons(source, sorted({lesson for _, lesson in submitted})))
        for shard in shards:  # (the folders first: a score is stored with submitted/'s timestamp.txt)
            for name in COPIED_FOLDERS:
                if (shard / name).is_dir():
                    shutil.copytree(shard / name, out / name, symlinks=True, dirs_exist_ok=True)
            if (shard / "gradebook.db").is_file():  # (a shard without students has none)
                _copy_scores(shard / "gradebook.db", course)
        _write_summary(summaries[0][0], rows, out / "summary.csv")
        grades = out.resolve() / "grades.csv"
        run = run_nbgrader(course, "export", f"--to={grades}")
        if not run.ok:
            raise AutogradeError(f"nbgrader export failed: {run.reason()}")
        mark_missing(grades, submitted)
        mark_late(grades, course.gradebook_url)


def _read_summary(shard: Path) -> tuple[list[str], list[dict[str, str]]]:
    path = shard / "summary.csv"
    if not path.is_file():
        raise AutogradeError(f"{shard} is not the output of `grade --shard` (it has no summary.csv)")
    with path.open(newline="") as file:
        reader = csv.DictReader(file)
        fields, rows = list(reader.fieldnames or []), list(reader)
    if rows and not (shard / "gradebook.db").is_file():
        raise AutogradeError(f"{shard} has graded students but no gradebook.db")
    return fields, rows


def _copy_scores(gradebook: Path, course: CourseDir) -> None:
    """Every submission's automatic scores in a shard's gradebook, stored in the merged one as grading
    stores them."""
    with Gradebook(f"sqlite:///{gradebook.resolve()}") as shard:
        due_dates = {assignment.name: assignment.duedate for assignment in shard.assignments if assignment.duedate}
        scores = {
            (submission.student.id, assignment.name): {
                grade.name: grade.auto_score for notebook in submission.notebooks for grade in notebook.grades
            }
            for assignment in shard.assignments
            for submission in assignment.submissions
        }
    for lesson, due in due_dates.items():  # (grade --due-date: every shard sets the same)
        set_due_date(course, [lesson], due)
    for (student, lesson), grades in scores.items():
        store_scores(course, lesson, student, grades)


def _write_summary(fields: list[str], rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
