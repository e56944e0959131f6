"""The class gradebook (nbgrader's gradebook.db): the scores grading decided, each submission's time
and the lessons' due dates, written in; and the template gradebook that each submission's scratch
course directory gets a copy of.

Scores are written here only by the grader, from its own verdicts (autograde/verdict.py): nothing
that the sandboxed nbgrader process wrote into its scratch copy is read back.
"""

import shutil
import warnings
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from autograde.paths import CourseDir, StudentNotebook
from autograde.submission_time import submitted_at

# nbgrader's gradebook makes SQLAlchemy warn about nbgrader's own session handling: noise to a user.
warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader\.")


def make_template(course: CourseDir, template: Path) -> None:
    """A copy of the course's gradebook (after autograde.course.release: it holds the lessons) with no
    student in it and no solution text, readable by the grader only."""
    shutil.copyfile(course.root / "gradebook.db", template)
    with Gradebook(f"sqlite:///{template}") as gradebook:
        for student in list(gradebook.students):
            gradebook.remove_student(student.id)
        # nbgrader keeps each answer cell's source text (the solution!) in the gradebook; a stub
        # does for grading, since answers are never taken from there.
        for assignment in gradebook.assignments:
            for notebook in assignment.notebooks:
                for cell in notebook.source_cells:
                    if "BEGIN SOLUTION" in cell.source:
                        cell.source = "# (solution removed for grading)"
        gradebook.db.commit()
    template.chmod(0o600)


def set_due_date(course: CourseDir, lessons: list[str], due: datetime) -> None:
    """nbgrader's own due date of each lesson (UTC), as the formgrader's Manage Assignments sets it."""
    with Gradebook(course.gradebook_url) as gradebook:
        for lesson in lessons:
            gradebook.update_or_create_assignment(lesson, duedate=due)


def store_scores(course: CourseDir, lesson: str, student: str, scores: dict[str, float]) -> None:
    """Each graded cell's score (grade_id -> points) as its automatic grade; a manual grade that an
    earlier run or the formgrader left is cleared. (The caller holds the gradebook's lock.)"""
    with Gradebook(course.gradebook_url) as gradebook:
        known = gradebook.update_or_create_student(student)
        if known.last_name is None and known.first_name is None:
            # The formgrader would show a student without names as "None, None": show the id instead
            # (names an instructor entered in the formgrader are kept).
            gradebook.update_or_create_student(student, last_name=student, first_name="")
        # When it was handed in (nbgrader's timestamp.txt; none clears an earlier run's), which the
        # export writes to grades.csv and nbgrader holds against the lesson's due date.
        submitted = StudentNotebook(course.root, student, lesson).submitted.parent
        gradebook.update_or_create_submission(lesson, student, timestamp=submitted_at(submitted))
        notebook = gradebook.find_submission_notebook(lesson, lesson, student)
        for grade in notebook.grades:
            if grade.name in scores:
                grade.auto_score = scores[grade.name]
                grade.manual_score = None
                grade.needs_manual_grade = False
        gradebook.db.commit()
