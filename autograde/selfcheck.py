"""`python -m autograde check`: grade one notebook against its lesson's hidden tests, in a temporary
course directory (nothing is written into the repository)."""

import shutil
import tempfile
from pathlib import Path

from autograde.course import release
from autograde.grading import SubmissionResult, grade_submission, submission_path
from autograde.lessons import find_lessons, match_lesson, read_notebook
from autograde.runner import CourseDir

STUDENT = "self"


def check_notebook(path: Path, source: Path) -> SubmissionResult:
    lesson = match_lesson(path, read_notebook(path), find_lessons(source))
    with tempfile.TemporaryDirectory(prefix="autograde-check-") as scratch:
        course = CourseDir(Path(scratch), source, Path(scratch) / "release")
        release(course, [lesson])
        submitted = submission_path(course, lesson, STUDENT)
        submitted.parent.mkdir(parents=True)
        shutil.copyfile(path, submitted)  # under the lesson's name, whatever the copy is called
        result, _ = grade_submission(course, lesson, STUDENT)
        return result
