"""Grade one submission in isolation, and record its result in the class gradebook.

For each student and lesson (autograde/class_grading.py runs several at once):
1. The submitted notebook is checked and rebuilt against the source in this process
   (autograde/submission.py); a file that cannot be graded gets 0 with the reason.
2. A scratch course directory is made for it alone (autograde/scratch.py). nbgrader autograde runs
   there, in a sandbox (autograde/sandbox.py), with a clean environment (autograde/environment.py),
   its kernel started by autograde/kernel_launcher.py under the `Limits` of autograde/limits.py, the
   whole of it in a control group of its own where the machine allows (autograde/control_group.py);
   the class directory, the source notebooks and the other students are out of its reach.
3. The scores are decided here, from the executed notebook and the source (autograde/verdict.py);
   nothing the sandbox wrote into its gradebook is read back. They go into the class gradebook
   (autograde/gradebook.py), and the executed notebook into the class's autograded/ folder for feedback.
"""

import contextlib
import dataclasses
import os
import shutil
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograde import control_group
from autograde.control_group import ControlGroup
from autograde.editions import edition_of, localize
from autograde.environment import submission_environment
from autograde.errors import one_line
from autograde.execute import STOP_ERRORS
from autograde.feedback import error_line
from autograde.gradebook import make_template, store_scores
from autograde.kernel_uids import KernelUid
from autograde.lessons import Lesson
from autograde.limits import Limits
from autograde.paths import REPO_ROOT, CourseDir, StudentNotebook, lesson_notebook
from autograde.results import ExerciseResult, SubmissionResult
from autograde.runner import Run, nbgrader_argv, run
from autograde.sandbox import Sandbox, choose_sandbox
from autograde.scratch import Scratch, make_scratch
from autograde.submission import SubmissionError, read_submission, rebuild
from autograde.verdict import explain_failures, judge, not_graded


@dataclass
class Grader:
    """What grading a class needs besides the submissions: see `prepare_grader`."""

    course: CourseDir
    limits: Limits
    sandbox: Sandbox
    hidden: list[Path]  # folders the unshare sandbox covers (bwrap shows only what it needs anyway)
    scratch_root: Path  # holds one scratch directory per submission being graded
    template: Path  # the lessons' gradebook: no students, no solutions
    control_groups: bool  # each submission in a control group of its own (autograde/control_group.py)
    lock: threading.Lock = field(default_factory=threading.Lock)  # the class gradebook, one writer at a time


def prepare_grader(
    course: CourseDir, limits: Limits, scratch_root: Path, hidden: list[Path], warn: bool = True
) -> Grader:
    """After autograde.course.release: the template gradebook, and the sandbox to use."""
    scratch_root.chmod(0o711)  # kernels under their own uid must pass through to their own folder
    template = scratch_root / "template.db"
    make_template(course, template)
    # (Only the unshare sandbox needs the list: it covers these, keeping what a kernel must read.)
    hidden = [*hidden, course.root, course.source, course.release, REPO_ROOT]
    control_groups = control_group.works()
    if warn and not control_groups:
        print(
            "autograde: warning: cannot make control groups here (needs root, and cgroup v1 or v2): "
            f"memory stays limited per process ({limits.memory_mb} MB of address space each), not per "
            "submission",
            file=sys.stderr,
        )
    return Grader(course, limits, choose_sandbox(warn), hidden, scratch_root, template, control_groups)


def grade_submission(grader: Grader, lesson: Lesson, student: str) -> tuple[SubmissionResult, str | None]:
    """Grade `course.root/submitted/<student>/<lesson>/`; the gradebook must hold the lesson. Returns
    the result and the log for the student's log file (nbgrader's, or the grader's own traceback).

    Whatever goes wrong with one submission (reading it, rebuilding it, running it, scoring it) costs
    that student's points only: the result is a 0 with a one-line reason, the traceback goes to the log."""
    try:
        return _grade(grader, lesson, student)
    except Exception as error:  # a fault of the grader's on this one notebook must not stop the class
        return _fault(grader, lesson, student, error, "")


def _fault(grader: Grader, lesson: Lesson, student: str, error: Exception, log: str) -> tuple[SubmissionResult, str]:
    """The 0 of a submission on which the grader itself raised `error` (called in its except block)."""
    log += f"\nautograde: the grader raised an exception on this notebook:\n{traceback.format_exc()}"
    reason = f"the grader failed on this notebook ({one_line(error)}); the traceback is in its log"
    try:
        return fail_submission(grader, lesson, student, reason), log
    except Exception:  # not even its 0 could be recorded in the gradebook: summary.csv still has it
        log += f"\nautograde: recording its 0 failed too:\n{traceback.format_exc()}"
        return SubmissionResult(student, lesson.id, [], reason + " (not recorded in the gradebook)"), log


def _grade(grader: Grader, lesson: Lesson, student: str) -> tuple[SubmissionResult, str | None]:
    course = grader.course
    submission = StudentNotebook(course.root, student, lesson.id)
    notebook = submission.submitted
    shutil.rmtree(submission.autograded.parent, ignore_errors=True)
    if not notebook.is_file() or notebook.is_symlink():
        return fail_submission(grader, lesson, student, _not_a_file(notebook)), None
    source = nbformat.read(lesson.source_notebook, as_version=4)
    try:
        submitted = read_submission(notebook, grader.limits.notebook_mb)
        released = nbformat.read(lesson_notebook(course.release, lesson.id), as_version=4)
        runnable = rebuild(submitted, source, released)
        edition = edition_of(submitted)
    except SubmissionError as error:
        return fail_submission(grader, lesson, student, str(error)), None
    folder = Path(tempfile.mkdtemp(prefix=f"{lesson.id}-", dir=grader.scratch_root))
    limits = grader.limits
    group = None
    if grader.control_groups:
        group = control_group.create(folder.name, limits.tree_memory_mb, limits.processes)
    try:
        scratch = make_scratch(folder, grader.template, submission, runnable, lesson.source_notebook.parent, limits)
        run_result = _run_isolated(grader, scratch, lesson, student, group)
        try:
            result = dataclasses.replace(
                _result(grader, lesson, student, source, scratch, run_result, edition), edition=edition
            )
        except Exception as error:  # (nbgrader's log kept, with the traceback after it)
            return _fault(grader, lesson, student, error, run_result.log)
        return (_with_memory(result, group, limits) if group else result), run_result.log
    finally:
        if group:
            group.close()
        shutil.rmtree(folder, ignore_errors=True)


def _not_a_file(notebook: Path) -> str:
    """Why a submission's notebook, missing or a symbolic link, is not graded (naming what is there)."""
    if notebook.is_symlink():
        return f"{notebook.name} is a symbolic link, not a file; name the notebook after its lesson"
    found = (
        ", ".join(
            sorted(
                "".join(c if c.isprintable() else "?" for c in path.name) for path in notebook.parent.glob("*.ipynb")
            )
        )
        or "no notebook"
    )
    return f"{notebook.name} is missing (found: {found}); name the notebook after its lesson"


def _result(
    grader: Grader,
    lesson: Lesson,
    student: str,
    source: NotebookNode,
    scratch: Scratch,
    run_result: Run,
    edition: str,
) -> SubmissionResult:
    """The scores of the notebook that nbgrader executed in `scratch`, recorded in the class gradebook;
    the executed notebook, for feedback, in the language of the submission (graded as the source is)."""
    executed_path = StudentNotebook(scratch.course.root, student, lesson.id).autograded
    if not run_result.ok or not executed_path.is_file():
        return fail_submission(grader, lesson, student, run_result.reason())
    if executed_path.stat().st_size > 5 * grader.limits.notebook_mb * 1024 * 1024:
        return fail_submission(grader, lesson, student, "the graded notebook's output is too big")
    executed = nbformat.read(executed_path, as_version=4)
    result = _record(grader, lesson, student, source, executed)
    graded = StudentNotebook(grader.course.root, student, lesson.id).autograded
    graded.parent.mkdir(parents=True, exist_ok=True)
    explain_failures(executed, result.exercises)
    nbformat.write(localize(executed, lesson.id, edition), graded)  # (for generate_feedback)
    return result


def _with_memory(result: SubmissionResult, group: ControlGroup, limits: Limits) -> SubmissionResult:
    """The tree's peak memory and memory kills, and the memory limit named where it is why grading
    stopped. (A kill need not stop it: a child process killed for memory leaves the kernel running.)"""
    failure, kills = result.failure, group.oom_kills()
    if failure and kills:
        failure += f" (out of memory: the submission's processes together went past its {limits.tree_memory_mb} MB)"
    return dataclasses.replace(result, failure=failure, peak_memory_mb=group.peak_mb(), memory_kills=kills)


def _run_isolated(grader: Grader, scratch: Scratch, lesson: Lesson, student: str, group: ControlGroup | None) -> Run:
    """nbgrader autograde of one notebook in `scratch`, in the sandbox (and in `group`), killed at its
    limits' `kill_after` whatever happens."""
    argv = nbgrader_argv(scratch.course, "autograde", lesson.id, f"--student={student}", "--force")
    argv = grader.sandbox.wrap(argv, scratch.folder, grader.hidden)
    if group:
        argv = group.wrap(argv)
    # As root, the kernel runs under a uid of its own (kernel_launcher.py), held while it runs; not with
    # the `none` sandbox, where the real folders above scratch are private to root.
    own_uid = os.geteuid() == 0 and grader.sandbox.mechanism != "none"
    with KernelUid() if own_uid else contextlib.nullcontext(0) as uid:
        # (bwrap and unshare give the kernel a user namespace of its own when not root)
        own_user_namespace = os.geteuid() != 0 and grader.sandbox.mechanism != "none"
        environment = submission_environment(scratch, uid, own_user_namespace)
        return run(argv, scratch.course.root, environment, grader.limits.kill_after)


def _record(
    grader: Grader, lesson: Lesson, student: str, source: NotebookNode, executed: NotebookNode
) -> SubmissionResult:
    """The verdicts into the class gradebook; the result with, if grading stopped early, why."""
    exercises = judge(source, executed)
    stops = [
        output
        for cell in executed.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error" and output.get("ename") in STOP_ERRORS
    ]
    _store(grader, lesson, student, exercises)
    return SubmissionResult(student, lesson.id, exercises, error_line(stops[0]) if stops else None)


def fail_submission(grader: Grader, lesson: Lesson, student: str, reason: str) -> SubmissionResult:
    """A submission that could not be graded: 0 for every graded cell in the gradebook, as nbgrader
    does for a notebook missing from a submission, so that the exported grades agree with the
    summary (and no earlier run's grades survive)."""
    exercises = not_graded(nbformat.read(lesson.source_notebook, as_version=4), reason)
    _store(grader, lesson, student, exercises)
    return SubmissionResult(student, lesson.id, exercises, reason)


def _store(grader: Grader, lesson: Lesson, student: str, exercises: list[ExerciseResult]) -> None:
    with grader.lock:
        store_scores(grader.course, lesson.id, student, {exercise.id: exercise.points for exercise in exercises})
