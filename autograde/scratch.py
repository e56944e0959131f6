"""The scratch directory of one submission: a course directory of its own, for the sandbox.

autograde/grading.py makes one per submission and deletes it afterwards. It holds all that the
sandboxed nbgrader process and its kernel get to see of the course:
- course/: a copy of the lessons' gradebook with no student in it and no solution text (made by
  autograde/gradebook.py), the rebuilt notebook with the student's other files (no links, no other
  notebooks, no Python modules), the lesson's data files; submitted/ and source/ closed to a kernel
  under its own uid;
- jupyter/kernels/<name>/kernel.json: the kernel is started by autograde/kernel_launcher.py;
- home/ (nbgrader's), kernel-home/ (the kernel's), runtime/ (connection files), and limits.json.
"""

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograde.limits import Limits
from autograde.paths import CourseDir, StudentNotebook
from autograde.submission_time import TIMESTAMP_FILE

KERNEL_LAUNCHER = Path(__file__).with_name("kernel_launcher.py")
# Files of a submission that could be imported in place of the course's modules are not copied.
MODULE_SUFFIXES = {".py", ".pyc", ".pyd", ".so", ".pth"}


@dataclass(frozen=True)
class Scratch:
    """The folders of one scratch directory (see the module's docstring)."""

    folder: Path
    course: CourseDir
    jupyter: Path  # JUPYTER_PATH: the kernelspec
    home: Path  # nbgrader's
    kernel_home: Path
    runtime: Path  # kernel connection files
    limits: Path

    @classmethod
    def at(cls, folder: Path) -> "Scratch":
        root = folder / "course"
        return cls(
            folder,
            CourseDir(root, root / "source", root / "release"),
            folder / "jupyter",
            folder / "home",
            folder / "kernel-home",
            folder / "runtime",
            folder / "limits.json",
        )


def make_scratch(
    folder: Path,
    template: Path,
    submission: StudentNotebook,
    runnable: NotebookNode,
    data: Path,
    limits: Limits,
) -> Scratch:
    """Lay out `folder` (empty) for grading `runnable`, the rebuilt `submission`; `template` is the
    gradebook to copy, `data` the folder of the lesson's source notebook."""
    scratch = Scratch.at(folder)
    course = scratch.course
    folder.chmod(0o711)
    notebook = StudentNotebook(course.root, submission.student, submission.lesson).submitted
    notebook.parent.mkdir(parents=True)
    course.root.chmod(0o711)
    nbformat.write(runnable, notebook)
    # (Not its timestamp.txt: the grader records the time itself, autograde/gradebook.py, and nbgrader
    # stops on one that holds no time, AttributeError in CourseDirectory.get_existing_timestamp.)
    _copy_files(submission.submitted.parent, notebook.parent, skip={notebook.name, TIMESTAMP_FILE}, modules=False)
    _copy_files(data, course.source / submission.lesson, skip=set(), modules=True)
    course.release.mkdir()
    for private in (course.root / "submitted", course.source):
        private.chmod(0o700)
    shutil.copyfile(template, course.root / "gradebook.db")
    (course.root / "gradebook.db").chmod(0o600)
    kernel_name = runnable.metadata.get("kernelspec", {}).get("name", "python3")
    spec = scratch.jupyter / "kernels" / kernel_name
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
    for path in (scratch.runtime, scratch.home, scratch.kernel_home):
        path.mkdir()
    scratch.runtime.chmod(0o711)
    limits.write(scratch.limits)
    return scratch


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
