"""The lessons of a source directory (`<source>/<id>/<id>.ipynb`), and which lesson a notebook is."""

from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograde.errors import AutogradeError


@dataclass(frozen=True)
class Lesson:
    """One nbgrader assignment holding one notebook of the same name (docs/authoring.md)."""

    id: str
    source_notebook: Path


def find_lessons(source: Path) -> list[Lesson]:
    lessons = [
        Lesson(notebook.stem, notebook)
        for notebook in sorted(source.glob("*/*.ipynb"))
        if notebook.stem == notebook.parent.name
    ]
    if not lessons:
        raise AutogradeError(f"no lessons in {source} (expected <id>/<id>.ipynb); check --source")
    return lessons


def select_lessons(source: Path, ids: list[str]) -> list[Lesson]:
    """The lessons named by `ids`, or all of them when there are none."""
    lessons = find_lessons(source)
    known = {lesson.id: lesson for lesson in lessons}
    unknown = [lesson_id for lesson_id in ids if lesson_id not in known]
    if unknown:
        raise AutogradeError(f"no lesson {', '.join(unknown)} in {source}; lessons: {', '.join(known)}")
    return [known[lesson_id] for lesson_id in ids] if ids else lessons


def read_notebook(path: Path) -> NotebookNode:
    if not path.is_file():
        raise AutogradeError(f"{path}: no such file; give the path of a .ipynb notebook")
    try:
        return nbformat.read(path, as_version=4)
    except nbformat.reader.NotJSONError:
        raise AutogradeError(
            f"{path} is not valid JSON (damaged or cut off); "
            "save it again from Jupyter, or start again from a fresh copy"
        ) from None
    except Exception as error:  # nbformat rejects other JSON with a variety of exception types
        raise AutogradeError(
            f"{path} is not a Jupyter notebook ({type(error).__name__}); give the path of a lesson's .ipynb file"
        ) from None


def grade_ids(notebook: NotebookNode) -> set[str]:
    """The grade_ids of a notebook's cells (a self-learner's copy may hold anything: only strings count)."""
    ids = {
        cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for cell in notebook.cells
        if isinstance(cell.get("metadata", {}).get("nbgrader"), dict)
    }
    return {grade_id for grade_id in ids if isinstance(grade_id, str)}


def match_lesson(path: Path, notebook: NotebookNode, lessons: list[Lesson]) -> Lesson:
    """The lesson `notebook` is a copy of: by file name, or else (a renamed copy) by the nbgrader
    cell ids it shares with a lesson's source."""
    for lesson in lessons:
        if lesson.id == path.stem:
            return lesson
    ids = grade_ids(notebook)
    shared = {lesson: len(ids & grade_ids(read_notebook(lesson.source_notebook))) for lesson in lessons}
    best = max(shared.values())
    candidates = [lesson for lesson, count in shared.items() if count == best]
    if best == 0 or len(candidates) > 1:
        raise AutogradeError(
            f"{path} matches no lesson (neither its file name nor its nbgrader cells); "
            f"lessons: {', '.join(lesson.id for lesson in lessons)}"
        )
    return candidates[0]
