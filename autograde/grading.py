"""Grade one submission with nbgrader autograde, and read its result back from the gradebook."""

import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from autograde.feedback import error_line
from autograde.lessons import Lesson
from autograde.runner import CourseDir, Run, run_nbgrader

# nbgrader's gradebook makes SQLAlchemy warn about nbgrader's own session handling: noise to a user.
warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader\.")


@dataclass(frozen=True)
class ExerciseResult:
    """One graded test cell: its grade_id, score, and the first error it raised (None if it passed)."""

    id: str
    points: float
    max_points: float
    message: str | None


@dataclass(frozen=True)
class SubmissionResult:
    student: str
    lesson: str
    exercises: list[ExerciseResult]
    failure: str | None  # why nbgrader could not grade the notebook at all (every exercise then has 0)

    @property
    def score(self) -> float:
        return sum(exercise.points for exercise in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(exercise.max_points for exercise in self.exercises)


def submission_path(course: CourseDir, lesson: Lesson, student: str, step: str = "submitted") -> Path:
    """Where nbgrader keeps a student's notebook at `step` (submitted, autograded)."""
    return course.root / step / student / lesson.id / f"{lesson.id}.ipynb"


def grade_submission(course: CourseDir, lesson: Lesson, student: str,
                     timeout: float | None = None) -> tuple[SubmissionResult, Run]:
    """Autograde `course.root/submitted/<student>/<lesson>/`, whose lesson the gradebook must already
    hold (autograde.course.release)."""
    run = run_nbgrader(course, "autograde", lesson.id, f"--student={student}", "--force", timeout=timeout)
    if run.ok:
        return _read_result(course, lesson, student, None), run
    # nbgrader removes its output for a notebook that failed, but not when it was killed.
    shutil.rmtree(submission_path(course, lesson, student, "autograded").parent, ignore_errors=True)
    return fail_submission(course, lesson, student, run.reason()), run


def fail_submission(course: CourseDir, lesson: Lesson, student: str, reason: str) -> SubmissionResult:
    """A submission that could not be graded: 0 for every graded cell in the gradebook, as nbgrader
    does for a notebook missing from a submission, so that the exported grades agree with the
    summary (and no earlier run's grades survive)."""
    with Gradebook(course.gradebook_url) as gradebook:
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(lesson.id, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.manual_score = None
                grade.needs_manual_grade = False
        gradebook.db.commit()
    return _read_result(course, lesson, student, reason)


def _read_result(course: CourseDir, lesson: Lesson, student: str, failure: str | None) -> SubmissionResult:
    with Gradebook(course.gradebook_url) as gradebook:
        grades = gradebook.find_submission_notebook(lesson.id, lesson.id, student).grades
        scores = {grade.name: (grade.score or 0.0, grade.max_score) for grade in grades}
    messages = {} if failure else _first_errors(submission_path(course, lesson, student, "autograded"))
    source = nbformat.read(lesson.source_notebook, as_version=4)
    graded_ids = [cell.metadata["nbgrader"]["grade_id"] for cell in source.cells if utils.is_grade(cell)]
    exercises = [
        ExerciseResult(cell_id, *scores[cell_id], f"not graded: {failure}" if failure else messages.get(cell_id))
        for cell_id in graded_ids
    ]
    return SubmissionResult(student, lesson.id, exercises, failure)


def _first_errors(autograded_notebook: Path) -> dict[str, str]:
    """grade_id -> the first error line of each graded cell that raised."""
    notebook = nbformat.read(autograded_notebook, as_version=4)
    errors = {}
    for cell in notebook.cells:
        if utils.is_grade(cell) and cell.cell_type == "code":
            for output in cell.outputs:
                if output.output_type == "error":
                    errors.setdefault(cell.metadata["nbgrader"]["grade_id"], error_line(output))
    return errors
