"""`python -m autograde grade`: a whole class, with nbgrader autograde, generate_feedback and export.

OUT becomes an nbgrader course directory (gradebook.db, submitted/, autograded/, feedback/) with,
next to them, grades.csv (nbgrader export), summary.csv (one row per student and lesson, with the
reason when a notebook could not be graded) and logs/ (nbgrader's log for each submission).
"""

import csv
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograde.course import release
from autograde.errors import AutogradeError
from autograde.grading import SubmissionResult, fail_submission, grade_submission, submission_path
from autograde.lessons import Lesson, find_lessons
from autograde.runner import CourseDir, run_nbgrader


def grade_class(submissions: Path, out: Path, source: Path, jobs: int, timeout: float,
                on_result: Callable[[SubmissionResult], None]) -> list[SubmissionResult]:
    """Grade every submission; `on_result` sees each result as soon as it is there (a class takes a while)."""
    lessons = {lesson.id: lesson for lesson in find_lessons(source)}
    pairs = _submissions(submissions)
    unknown = sorted({lesson_id for _, lesson_id in pairs} - set(lessons))
    if unknown:
        raise AutogradeError(f"{submissions} has folders for unknown lessons ({', '.join(unknown)}); "
                             f"lessons: {', '.join(lessons)}. Rename or remove them")
    graded_lessons = [lessons[lesson_id] for lesson_id in sorted({lesson_id for _, lesson_id in pairs})]
    # Grading needs the lessons in OUT's gradebook, not their student versions: those go to a
    # scratch folder (OUT may be the repository root, whose release folder is course/).
    with tempfile.TemporaryDirectory(prefix="autograde-release-") as scratch:
        course = CourseDir(out, source, Path(scratch))
        _copy_submissions(submissions, course.root / "submitted")
        release(course, graded_lessons)
        submitted = [(student, lessons[lesson_id]) for student, lesson_id in pairs]
        results = _autograde_all(course, submitted, jobs, timeout, on_result)
        _write_summary(results, course.root / "summary.csv")
        # nbgrader fails on a lesson with nothing to give feedback on.
        with_feedback = {result.lesson for result in results if not result.failure}
        _feedback_and_export(course, [lesson for lesson in graded_lessons if lesson.id in with_feedback])
    return results


def _autograde_all(course: CourseDir, submissions: list[tuple[str, Lesson]], jobs: int, timeout: float,
                   on_result: Callable[[SubmissionResult], None]) -> list[SubmissionResult]:
    """Students in parallel: each nbgrader process runs one notebook in its own kernel. A failed or
    timed-out submission becomes a 0 with its reason; the others go on."""

    def grade(submission: tuple[str, Lesson]) -> SubmissionResult:
        student, lesson = submission
        notebook = submission_path(course, lesson, student)
        if not notebook.is_file():  # nbgrader would only say "No notebooks found"
            found = ", ".join(sorted(path.name for path in notebook.parent.glob("*.ipynb"))) or "no notebook"
            reason = f"no {notebook.name} in the submission (found: {found}); name the notebook after its lesson"
            return fail_submission(course, lesson, student, reason)
        result, run = grade_submission(course, lesson, student, timeout)
        _save_log(course, f"{lesson.id}/{student}.log", run.log)
        return result

    results = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(grade, submissions):
            on_result(result)
            results.append(result)
    return results


def _submissions(submissions: Path) -> list[tuple[str, str]]:
    """(student, lesson) for each SUBMISSIONS/<student>/<lesson>/ folder."""
    if not submissions.is_dir():
        raise AutogradeError(f"{submissions}: no such folder; give the folder that holds "
                             "<student_id>/<lesson_id>/<lesson_id>.ipynb")
    pairs = sorted((student.name, lesson.name) for student in submissions.iterdir() if student.is_dir()
                   for lesson in student.iterdir() if lesson.is_dir())
    if not pairs:
        raise AutogradeError(f"{submissions} holds no <student_id>/<lesson_id>/ folders; "
                             "see docs/instructor-guide.md for the layout")
    return pairs


def _copy_submissions(submissions: Path, submitted: Path) -> None:
    """nbgrader reads submissions from OUT/submitted: copy them there (unless that is SUBMISSIONS)."""
    if submitted.resolve() != submissions.resolve():
        shutil.copytree(submissions, submitted, dirs_exist_ok=True)


def _write_summary(results: list[SubmissionResult], path: Path) -> None:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["student_id", "lesson", "score", "max_score", "failure"])
        for result in results:
            writer.writerow([result.student, result.lesson, result.score, result.max_score, result.failure or ""])


def _feedback_and_export(course: CourseDir, lessons: list[Lesson]) -> None:
    """Feedback HTML for every graded notebook, and grades.csv. Both run over the whole class even if
    one notebook fails; a failure is reported after the rest is done."""
    runs = {f"generate_feedback {lesson.id}": run_nbgrader(course, "generate_feedback", lesson.id, "--force")
            for lesson in lessons}
    runs["export"] = run_nbgrader(course, "export", f"--to={course.root.resolve() / 'grades.csv'}")
    failed = {step: run for step, run in runs.items() if not run.ok}
    for step, run in failed.items():
        _save_log(course, f"{step.replace(' ', '_')}.log", run.log)
    if failed:
        raise AutogradeError("; ".join(f"nbgrader {step} failed: {run.reason()}" for step, run in failed.items())
                             + f" (logs in {course.root / 'logs'})")


def _save_log(course: CourseDir, name: str, log: str) -> None:
    path = course.root / "logs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(log)
