"""A sample class generated from the source notebooks, to try and test grading with known scores.

Students, for every lesson with n exercises:
- `full`: the source notebook itself (every exercise solved);
- `blank`: the student version as released, untouched (score 0);
- `partial_<k>`, k = 1 .. n-1: the student version with the first k exercises solved (their solution
  cells taken from the source), the others left as nbgrader's stub.
An exercise is a solution cell and the graded test cells after it, up to the next solution cell.
The class mixes the editions (autograde/editions.py) as a real one may: where a lesson has more than
one, `blank` and every second `partial_<k>` hand in the last edition (English), the others the source's.
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader import utils

from autograde.course import generate
from autograde.editions import editions
from autograde.lessons import Lesson, find_lessons
from autograde.paths import lesson_notebook


@dataclass(frozen=True)
class SampleSubmission:
    student: str
    lesson: str
    expected_score: float


def build_sample_class(source: Path, out: Path) -> list[SampleSubmission]:
    """Write OUT/<student>/<lesson>/<lesson>.ipynb (nbgrader's submission layout)."""
    lessons = find_lessons(source)
    with tempfile.TemporaryDirectory(prefix="autograde-sample-") as scratch:
        generate(source, Path(scratch), lessons)
        return [
            submission
            for lesson in lessons
            for submission in _lesson_submissions(lesson, [Path(scratch) / e for e in editions(lesson.id)], out)
        ]


def _lesson_submissions(lesson: Lesson, releases: list[Path], out: Path) -> list[SampleSubmission]:
    """`releases`: the folders of the lesson's student versions, the source's edition first."""
    solved = nbformat.read(lesson.source_notebook, as_version=4)
    released = [nbformat.read(lesson_notebook(folder, lesson.id), as_version=4) for folder in releases]
    source_edition, other_edition = released[0], released[-1]
    exercises = _exercises(solved)
    variants = {"full": (solved, sum(exercises.values())), "blank": (other_edition, 0.0)}
    solution_ids = list(exercises)
    for k in range(1, len(solution_ids)):
        kept, released = solution_ids[:k], other_edition if k % 2 == 0 else source_edition
        variants[f"partial_{k}"] = (_with_solutions(released, solved, kept), sum(exercises[i] for i in kept))
    submissions = []
    for student, (notebook, expected_score) in variants.items():
        path = lesson_notebook(out / student, lesson.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)
        submissions.append(SampleSubmission(student, lesson.id, expected_score))
    return submissions


def _exercises(notebook: NotebookNode) -> dict[str, float]:
    """Solution cell grade_id -> points of the graded cells that test it, in notebook order."""
    points: dict[str, float] = {}
    current = None
    for cell in notebook.cells:
        if utils.is_solution(cell):
            current = cell.metadata["nbgrader"]["grade_id"]
            points[current] = 0.0
        elif utils.is_grade(cell) and current is not None:
            points[current] += float(cell.metadata["nbgrader"]["points"])
    return points


def _with_solutions(released: NotebookNode, solved: NotebookNode, solution_ids: list[str]) -> NotebookNode:
    """A copy of `released` whose solution cells named in `solution_ids` come from `solved`."""
    solutions = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in solved.cells if utils.is_solution(cell)}
    notebook = nbformat.from_dict(released)
    notebook.cells = [
        nbformat.from_dict(solutions[cell.metadata["nbgrader"]["grade_id"]])
        if utils.is_solution(cell) and cell.metadata["nbgrader"]["grade_id"] in solution_ids
        else cell
        for cell in notebook.cells
    ]
    return notebook
