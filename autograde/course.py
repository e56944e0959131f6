"""The student versions of the lessons, in every edition: nbgrader generate_assignment from the source
notebooks (Japanese), then each other language's edition translated from it (autograde/editions.py)."""

import tempfile
from pathlib import Path

import nbformat

from autograde.editions import editions, localize, write_guides
from autograde.errors import AutogradeError
from autograde.lessons import Lesson, find_lessons
from autograde.paths import CourseDir, lesson_notebook
from autograde.run_all import tag_cells_that_may_raise
from autograde.runner import run_nbgrader


def release(course: CourseDir, lessons: list[Lesson]) -> None:
    """Write `course.release/<id>/` for each lesson (solutions stubbed, hidden tests removed, outputs
    cleared) and record the lessons' cells, hidden tests included, in the course's gradebook."""
    # An nbgrader process takes seconds to start: all lessons go through one, as the pattern "*".
    everything = {lesson.id for lesson in lessons} == {lesson.id for lesson in find_lessons(course.source)}
    for pattern in ["*"] if everything else [lesson.id for lesson in lessons]:
        run = run_nbgrader(course, "generate_assignment", pattern, "--force")
        if not run.ok:
            raise AutogradeError(
                f"nbgrader generate_assignment {pattern} failed: {run.reason()}; fix the notebook in {course.source}"
            )


def generate(source: Path, course_root: Path, lessons: list[Lesson], guides: bool = False) -> list[Path]:
    """`python -m autograde generate`: `course_root/<language>/<id>/<id>.ipynb` for every edition, from
    solutions/ (and, with `guides`, docs/<language>/ from docs/). Its output is byte-identical from run to
    run (nbgrader adds nothing that varies), so a test can compare course/ with a fresh generation.
    Returns the files written."""
    # nbgrader needs a gradebook to generate into; this one is thrown away, not left in the repo. Every
    # edition is made before any is written, so a missing translation leaves course/ as it was.
    notebooks = {}
    with tempfile.TemporaryDirectory(prefix="autograde-generate-") as scratch:
        release(CourseDir(Path(scratch), source, Path(scratch) / "release"), lessons)
        for lesson in lessons:
            notebook = nbformat.read(lesson_notebook(Path(scratch) / "release", lesson.id), as_version=4)
            tag_cells_that_may_raise(notebook)  # Run All goes on past unfinished exercises (autograde/run_all.py)
            for language in editions(lesson.id):
                notebooks[lesson_notebook(course_root / language, lesson.id)] = localize(notebook, lesson.id, language)
    for path, notebook in notebooks.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)
    written = list(notebooks)
    return written + (write_guides() if guides else [])
