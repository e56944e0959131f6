"""`python -m autograde grade`: a whole class, with nbgrader autograde, generate_feedback and export.

OUT becomes an nbgrader course directory (gradebook.db, submitted/, autograded/, feedback/) with,
next to them, grades.csv (nbgrader export), summary.csv (one row per student and lesson; both written
by autograde/reports.py) and logs/ (nbgrader's log for each submission).
Each submission is graded in isolation (autograde/grading.py): one failing, hostile or endless
notebook costs only its own student's points.
"""

import dataclasses
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from autograde.course import release
from autograde.errors import AutogradeError
from autograde.gradebook import set_due_date
from autograde.grading import Grader, grade_submission, prepare_grader
from autograde.lessons import Lesson, find_lessons
from autograde.limits import Limits
from autograde.paths import CourseDir, StudentNotebook
from autograde.reports import mark_late, mark_missing, write_summary
from autograde.results import SubmissionResult
from autograde.runner import run_nbgrader
from autograde.shards import Shard


def grade_class(
    submissions: Path,
    out: Path,
    source: Path,
    jobs: int,
    on_result: Callable[[SubmissionResult], None],
    limits: Limits | None = None,
    due_date: datetime | None = None,
    shard: Shard | None = None,
) -> list[SubmissionResult]:
    """Grade every submission, or those of `shard`'s students (autograde/shards.py); `on_result` sees each
    result as soon as it is there (a class takes a while). `limits` are those of each submission (default:
    `Limits()`); `due_date` (UTC), when given, becomes the graded lessons' due date in the gradebook
    (autograde/submission_time.py)."""
    limits = limits or Limits()
    lessons = {lesson.id: lesson for lesson in find_lessons(source)}
    pairs = _submissions(submissions)
    unknown = sorted({lesson_id for _, lesson_id in pairs} - set(lessons))
    if unknown:
        raise AutogradeError(
            f"{submissions} has folders for unknown lessons ({', '.join(unknown)}); "
            f"lessons: {', '.join(lessons)}. Rename or remove them"
        )
    students = shard.students([student for student, _ in pairs]) if shard else None
    if shard:
        pairs = [(student, lesson_id) for student, lesson_id in pairs if student in students]
    graded_lessons = [lessons[lesson_id] for lesson_id in sorted({lesson_id for _, lesson_id in pairs})]
    # Grading needs the lessons in OUT's gradebook, not their student versions: those go to a
    # scratch folder (OUT may be the repository root, whose release folder is course/).
    with tempfile.TemporaryDirectory(prefix="autograde-class-") as scratch:
        course = CourseDir(out, source, Path(scratch) / "release")
        Path(scratch).chmod(0o711)  # (see prepare_grader)
        (Path(scratch) / "submissions").mkdir()
        _copy_submissions(submissions, course.root / "submitted", students)
        out.mkdir(parents=True, exist_ok=True)
        if not pairs:  # a shard of more shards than students: nothing to grade, nothing to merge
            write_summary([], course.root / "summary.csv")
            return []
        release(course, graded_lessons)
        if due_date:
            set_due_date(course, [lesson.id for lesson in graded_lessons], due_date)
        grader = prepare_grader(course, limits, Path(scratch) / "submissions", [submissions])
        submitted = [(student, lessons[lesson_id]) for student, lesson_id in pairs]
        results = _autograde_all(grader, submitted, jobs, on_result)
        write_summary(results, course.root / "summary.csv")
        # nbgrader fails on a lesson with nothing to give feedback on.
        with_feedback = {
            result.lesson
            for result in results
            if StudentNotebook(out, result.student, result.lesson).autograded.is_file()
        }
        _feedback_and_export(
            course,
            [lesson for lesson in graded_lessons if lesson.id in with_feedback],
            {(result.student, result.lesson) for result in results},
        )
    return results


def _autograde_all(
    grader: Grader, submissions: list[tuple[str, Lesson]], jobs: int, on_result: Callable[[SubmissionResult], None]
) -> list[SubmissionResult]:
    """Students in parallel: each nbgrader process runs one notebook in its own sandbox and kernel.
    A submission that cannot be graded becomes a 0 with its reason; the others go on."""

    def grade(submission: tuple[str, Lesson]) -> SubmissionResult:
        student, lesson = submission
        start = time.monotonic()
        result, log = grade_submission(grader, lesson, student)
        if log is not None:
            _save_log(grader.course, f"{lesson.id}/{student}.log", log)
        return dataclasses.replace(result, seconds=time.monotonic() - start)

    results = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(grade, submissions):
            on_result(result)
            results.append(result)
    return results


def _submissions(submissions: Path) -> list[tuple[str, str]]:
    """(student, lesson) for each SUBMISSIONS/<student>/<lesson>/ folder."""
    if not submissions.is_dir():
        raise AutogradeError(
            f"{submissions}: no such folder; give the folder that holds <student_id>/<lesson_id>/<lesson_id>.ipynb"
        )
    pairs = sorted(
        (student.name, lesson.name)
        for student in submissions.iterdir()
        if student.is_dir()
        for lesson in student.iterdir()
        if lesson.is_dir()
    )
    if not pairs:
        raise AutogradeError(
            f"{submissions} holds no <student_id>/<lesson_id>/ folders; see docs/instructor-guide.md for the layout"
        )
    return pairs


def _copy_submissions(submissions: Path, submitted: Path, students: list[str] | None) -> None:
    """nbgrader reads submissions from OUT/submitted: copy them there (unless that is SUBMISSIONS), those
    of `students` only when given (a shard)."""
    if submitted.resolve() == submissions.resolve():
        return
    # Links stay links (they are not followed when grading): a link to a file of the grader's
    # must not become a copy of that file.
    for folder in [submissions] if students is None else [submissions / student for student in students]:
        target = submitted if students is None else submitted / folder.name
        shutil.copytree(folder, target, symlinks=True, dirs_exist_ok=True)


def _feedback_and_export(course: CourseDir, lessons: list[Lesson], submitted: set[tuple[str, str]]) -> None:
    """Feedback HTML for every graded notebook, and grades.csv. Both run over the whole class even if
    one notebook fails; a failure is reported after the rest is done."""
    runs = {
        f"generate_feedback {lesson.id}": run_nbgrader(course, "generate_feedback", lesson.id, "--force")
        for lesson in lessons
    }
    grades = course.root.resolve() / "grades.csv"
    runs["export"] = run_nbgrader(course, "export", f"--to={grades}")
    if runs["export"].ok:
        mark_missing(grades, submitted)
        mark_late(grades, course.gradebook_url)
    failed = {step: run for step, run in runs.items() if not run.ok}
    for step, run in failed.items():
        _save_log(course, f"{step.replace(' ', '_')}.log", run.log)
    if failed:
        raise AutogradeError(
            "; ".join(f"nbgrader {step} failed: {run.reason()}" for step, run in failed.items())
            + f" (logs in {course.root / 'logs'})"
        )


def _save_log(course: CourseDir, name: str, log: str) -> None:
    path = course.root / "logs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(log)
