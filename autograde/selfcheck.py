"""`python -m autograde check`: grade one notebook against its lesson's hidden tests, in a temporary
course directory (nothing is written into the repository)."""

import shutil
import tempfile
from pathlib import Path

from autograde.course import release
from autograde.grading import grade_submission, prepare_grader
from autograde.lessons import find_lessons, match_lesson, read_notebook
from autograde.limits import Limits
from autograde.paths import CourseDir, StudentNotebook
from autograde.results import SubmissionResult

STUDENT = "self"


def check_notebook(path: Path, source: Path, limits: Limits | None = None) -> SubmissionResult:
    lesson = match_lesson(path, read_notebook(path), find_lessons(source))
    with tempfile.TemporaryDirectory(prefix="autograde-check-") as scratch:
        Path(scratch).chmod(0o711)
        course = CourseDir(Path(scratch) / "course", source, Path(scratch) / "release")
        course.root.mkdir()
        release(course, [lesson])
        submitted = StudentNotebook(course.root, STUDENT, lesson.id).submitted
        submitted.parent.mkdir(parents=True)
        shutil.copyfile(path, submitted)  # under the lesson's name, whatever the copy is called
        (Path(scratch) / "grading").mkdir()
        # (No sandbox warning: a self-learner checks their own notebook.)
        grader = prepare_grader(
            course, limits or Limits(), Path(scratch) / "grading", [path.resolve().parent], warn=False
        )
        result, _ = grade_submission(grader, lesson, STUDENT)
        return result
