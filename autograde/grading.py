"""Grade one submission in isolation, and record its result in the class gradebook.

For each student and lesson (autograde/class_grading.py runs several at once):
1. The submitted notebook is checked and rebuilt against the source in this process
   (autograde/submission.py); a file that cannot be graded gets 0 with the reason.
2. A scratch course directory is made for it alone: a copy of the lessons' gradebook with no student
   in it and no solution text, the rebuilt notebook with the student's other files, the lesson's data
   files. nbgrader autograde runs there, in a sandbox (autograde/sandbox.py), its kernel started by
   autograde/kernel_launcher.py under the limits of `Limits` (one file, limits.json, read by both),
   the whole of it in a control group of
   its own where the machine allows (autograde/control_group.py); the class directory, the source
   notebooks and the other students are out of its reach.
3. The scores are decided here, from the executed notebook and the source (autograde/verdict.py);
   nothing the sandbox wrote into its gradebook is read back. They go into the class gradebook, and
   the executed notebook into the class's autograded/ folder for feedback.
"""

import contextlib
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import threading
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from autograde import control_group
from autograde.control_group import ControlGroup
from autograde.errors import one_line
from autograde.execute import STOP_ERRORS
from autograde.feedback import error_line
from autograde.kernel_uids import KernelUid
from autograde.lessons import Lesson
from autograde.runner import REPO_ROOT, CourseDir, Run, nbgrader_argv, run
from autograde.sandbox import LIMITS_VARIABLE, Limits, Sandbox, choose_sandbox, model_cache
from autograde.submission import SubmissionError, read_submission, rebuild
from autograde.verdict import graded_cells, judge

# nbgrader's gradebook makes SQLAlchemy warn about nbgrader's own session handling: noise to a user.
warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader\.")

KERNEL_LAUNCHER = Path(__file__).with_name("kernel_launcher.py")
# Files of a submission that could be imported in place of the course's modules are not copied.
MODULE_SUFFIXES = {".py", ".pyc", ".pyd", ".so", ".pth"}


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
    # Why the notebook could not be graded (every exercise then has 0), or why grading stopped
    # early (a dead or killed kernel, the time limit: the cells after it have 0).
    failure: str | None
    seconds: float = 0.0  # how long grading it took
    peak_memory_mb: float | None = None  # of its whole process tree (known with control groups)
    memory_kills: int | None = None  # how many of its processes were killed for memory (likewise)

    @property
    def score(self) -> float:
        return sum(exercise.points for exercise in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(exercise.max_points for exercise in self.exercises)


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


def submission_path(course: CourseDir, lesson: Lesson, student: str, step: str = "submitted") -> Path:
    """Where nbgrader keeps a student's notebook at `step` (submitted, autograded)."""
    return course.root / step / student / lesson.id / f"{lesson.id}.ipynb"


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
    notebook = submission_path(course, lesson, student)
    shutil.rmtree(submission_path(course, lesson, student, "autograded").parent, ignore_errors=True)
    if not notebook.is_file() or notebook.is_symlink():
        found = (
            ", ".join(
                sorted(
                    "".join(c if c.isprintable() else "?" for c in path.name)
                    for path in notebook.parent.glob("*.ipynb")
                )
            )
            or "no notebook"
        )
        why = "is a symbolic link, not a file" if notebook.is_symlink() else f"is missing (found: {found})"
        return fail_submission(
            grader, lesson, student, f"{notebook.name} {why}; name the notebook after its lesson"
        ), None
    source = nbformat.read(lesson.source_notebook, as_version=4)
    try:
        submitted = read_submission(notebook, grader.limits.notebook_mb)
        released = nbformat.read(course.release / lesson.id / f"{lesson.id}.ipynb", as_version=4)
        runnable = rebuild(submitted, source, released)
    except SubmissionError as error:
        return fail_submission(grader, lesson, student, str(error)), None
    scratch = Path(tempfile.mkdtemp(prefix=f"{lesson.id}-", dir=grader.scratch_root))
    limits = grader.limits
    group = None
    if grader.control_groups:
        group = control_group.create(scratch.name, limits.tree_memory_mb, limits.processes)
    try:
        run_result = _run_isolated(grader, lesson, student, runnable, notebook.parent, scratch, group)
        try:
            result = _result(grader, lesson, student, source, scratch, run_result)
        except Exception as error:  # (nbgrader's log kept, with the traceback after it)
            return _fault(grader, lesson, student, error, run_result.log)
        return (_with_memory(result, group, limits) if group else result), run_result.log
    finally:
        if group:
            group.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _result(grader: Grader, lesson: Lesson, student: str, source, scratch: Path, run_result: Run) -> SubmissionResult:
    """The scores of the notebook that nbgrader executed in `scratch`, recorded in the class gradebook."""
    executed_path = scratch / "course" / "autograded" / student / lesson.id / f"{lesson.id}.ipynb"
    if not run_result.ok or not executed_path.is_file():
        return fail_submission(grader, lesson, student, run_result.reason())
    if executed_path.stat().st_size > 5 * grader.limits.notebook_mb * 1024 * 1024:
        return fail_submission(grader, lesson, student, "the graded notebook's output is too big")
    executed = nbformat.read(executed_path, as_version=4)
    result = _record(grader, lesson, student, source, executed)
    graded = submission_path(grader.course, lesson, student, "autograded")
    graded.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(executed, graded)  # (for generate_feedback; only the notebook comes back)
    return result


def _with_memory(result: SubmissionResult, group: ControlGroup, limits: Limits) -> SubmissionResult:
    """The tree's peak memory and memory kills, and the memory limit named where it is why grading
    stopped. (A kill need not stop it: a child process killed for memory leaves the kernel running.)"""
    failure, kills = result.failure, group.oom_kills()
    if failure and kills:
        failure += f" (out of memory: the submission's processes together went past its {limits.tree_memory_mb} MB)"
    return dataclasses.replace(result, failure=failure, peak_memory_mb=group.peak_mb(), memory_kills=kills)


def _run_isolated(
    grader: Grader, lesson: Lesson, student: str, runnable, folder: Path, scratch: Path, group: ControlGroup | None
) -> Run:
    """nbgrader autograde of one notebook in `scratch`, in the sandbox (and in `group`)."""
    limits = grader.limits
    scratch.chmod(0o711)
    root = scratch / "course"
    submitted = root / "submitted" / student / lesson.id
    submitted.mkdir(parents=True)
    root.chmod(0o711)
    nbformat.write(runnable, submitted / f"{lesson.id}.ipynb")
    _copy_files(folder, submitted, skip={f"{lesson.id}.ipynb"}, modules=False)
    _copy_files(lesson.source_notebook.parent, root / "source" / lesson.id, skip=set(), modules=True)
    (root / "release").mkdir()
    for private in (root / "submitted", root / "source"):
        private.chmod(0o700)
    shutil.copyfile(grader.template, root / "gradebook.db")
    (root / "gradebook.db").chmod(0o600)
    kernel_name = runnable.metadata.get("kernelspec", {}).get("name", "python3")
    spec = scratch / "jupyter" / "kernels" / kernel_name
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, str(KERNEL_LAUNCHER), "-f", "{connection_file}"],
                "display_name": "graded submission",
                "language": "python",
            }
        )
    )
    for name in ("runtime", "home", "kernel-home"):
        (scratch / name).mkdir()
    (scratch / "runtime").chmod(0o711)
    course = CourseDir(root, root / "source", root / "release")
    argv = nbgrader_argv(course, "autograde", lesson.id, f"--student={student}", "--force")
    argv = grader.sandbox.wrap(argv, scratch, grader.hidden)
    if group:
        argv = group.wrap(argv)
    limits.write(scratch / "limits.json")
    environment = _environment(scratch)
    # As root, the kernel runs under a uid of its own (kernel_launcher.py), held while it runs; not with
    # the `none` sandbox, where the real folders above scratch are private to root.
    own_uid = os.geteuid() == 0 and grader.sandbox.mechanism != "none"
    with KernelUid() if own_uid else contextlib.nullcontext(0) as uid:
        environment["AUTOGRADE_KERNEL_UID"] = str(uid)
        if os.geteuid() != 0 and grader.sandbox.mechanism != "none":
            environment["AUTOGRADE_KERNEL_OWN_USER_NAMESPACE"] = "1"  # (bwrap and unshare give it one)
        # Past the notebook's own budget (enforced inside, at most wall_factor times its CPU time in
        # wall-clock time), nbgrader's start and end; then it is killed.
        hard_limit = limits.wall_factor * limits.notebook_timeout + 60 + 0.1 * limits.notebook_timeout
        return run(argv, root, environment, hard_limit)


def _copy_files(folder: Path, target: Path, skip: set[str], modules: bool) -> None:
    """Regular files of `folder` into `target` (no symbolic links: they could point anywhere; no
    notebooks other than the one graded; no Python modules from a submission)."""
    target.mkdir(parents=True, exist_ok=True)
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if (
            path.is_symlink()
            or not path.is_file()
            or relative.parts[0] in skip
            or path.suffix == ".ipynb"
            or any(part.startswith(".") for part in relative.parts)
            or (not modules and path.suffix in MODULE_SUFFIXES)
        ):
            continue
        if any(parent.is_symlink() for parent in path.parents if folder in parent.parents):
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / relative)


def _environment(scratch: Path) -> dict[str, str]:
    """A clean environment: nothing of the grader's own (tokens, NBGRADER_* settings) gets in."""
    keep = (
        "LANG",
        "LC_ALL",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "MALLOC_MMAP_THRESHOLD_",
        "MALLOC_TRIM_THRESHOLD_",
        "HF_HUB_OFFLINE",
        "TRANSFORMERS_OFFLINE",
    )
    environment = {name: os.environ[name] for name in keep if name in os.environ}
    environment.update(
        {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            "PYTHONPATH": str(REPO_ROOT),
            "HOME": str(scratch / "home"),
            "TMPDIR": str(scratch / "home"),
            "JUPYTER_PATH": str(scratch / "jupyter"),
            "JUPYTER_CONFIG_DIR": str(scratch / "home" / ".jupyter"),
            "JUPYTER_DATA_DIR": str(scratch / "home" / ".jupyter-data"),
            "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "AUTOGRADE_KERNEL_HOME": str(scratch / "kernel-home"),
            LIMITS_VARIABLE: str(scratch / "limits.json"),  # (for autograde/execute.py and kernel_launcher.py)
            "AUTOGRADE_MODEL_CACHE": str(model_cache() or ""),
        }
    )
    return environment


def _record(grader: Grader, lesson: Lesson, student: str, source, executed) -> SubmissionResult:
    """The verdicts into the class gradebook; the result with, if grading stopped early, why."""
    verdicts = judge(source, executed)
    stops = [
        output
        for cell in executed.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error" and output.get("ename") in STOP_ERRORS
    ]
    _store(grader, lesson, student, {verdict.grade_id: verdict.points for verdict in verdicts})
    exercises = [ExerciseResult(v.grade_id, v.points, v.max_points, v.message) for v in verdicts]
    return SubmissionResult(student, lesson.id, exercises, error_line(stops[0]) if stops else None)


def fail_submission(grader: Grader, lesson: Lesson, student: str, reason: str) -> SubmissionResult:
    """A submission that could not be graded: 0 for every graded cell in the gradebook, as nbgrader
    does for a notebook missing from a submission, so that the exported grades agree with the
    summary (and no earlier run's grades survive)."""
    source = nbformat.read(lesson.source_notebook, as_version=4)
    tests = [
        (cell.metadata["nbgrader"]["grade_id"], float(cell.metadata["nbgrader"]["points"]))
        for cell in graded_cells(source)
    ]
    _store(grader, lesson, student, {grade_id: 0.0 for grade_id, _ in tests})
    exercises = [ExerciseResult(grade_id, 0.0, points, f"not graded: {reason}") for grade_id, points in tests]
    return SubmissionResult(student, lesson.id, exercises, reason)


def _store(grader: Grader, lesson: Lesson, student: str, scores: dict[str, float]) -> None:
    with grader.lock, Gradebook(grader.course.gradebook_url) as gradebook:
        known = gradebook.update_or_create_student(student)
        if known.last_name is None and known.first_name is None:
            # The formgrader would show a student without names as "None, None": show the id instead
            # (names an instructor entered in the formgrader are kept).
            gradebook.update_or_create_student(student, last_name=student, first_name="")
        gradebook.update_or_create_submission(lesson.id, student)
        notebook = gradebook.find_submission_notebook(lesson.id, lesson.id, student)
        for grade in notebook.grades:
            if grade.name in scores:
                grade.auto_score = scores[grade.name]
                grade.manual_score = None
                grade.needs_manual_grade = False
        gradebook.db.commit()
