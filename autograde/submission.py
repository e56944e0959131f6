"""A submitted notebook checked and rebuilt against its source before anything of it runs.

nbgrader trusts a submission's cell metadata in places (which cells are graded, their ids, a cell's
type, the kernel to start). Here, in the grading process, outside any kernel:
- a file that is too big, empty, not JSON, not a notebook, of a notebook format newer than 4, that
  nbformat's validator rejects (outputs aside: they are never used), or whose nbgrader metadata has
  types nbgrader never writes (a list as grade_id, a string as points) is refused with a reason the
  student can act on;
- every cell that claims an nbgrader grade_id the source has gets the source's nbgrader metadata and
  cell type (so points, ids, locks and schema version come from the source), and a locked cell the
  source's text; any other nbgrader metadata is removed (an invented graded cell grades nothing);
  a second cell with the same grade_id loses its metadata;
- locked cells and test cells that are missing are put back after the cell that precedes them in the
  source, and missing answer cells as the released stub;
- the kernelspec and language come from the source; outputs are cleared.
"""

import copy
import json
import warnings
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader import utils

from autograde.errors import one_line


class SubmissionError(Exception):
    """The submission cannot be graded; the message says why, for the student."""


def read_submission(path: Path, max_mb: float) -> NotebookNode:
    size = path.stat().st_size
    if size == 0:
        raise SubmissionError(f"{path.name} is empty; save the notebook in Jupyter and submit it again")
    if size > max_mb * 1024 * 1024:
        raise SubmissionError(
            f"{path.name} is {size / 1024 / 1024:.0f} MB, more than the {max_mb:g} MB allowed; "
            "clear its outputs (Kernel > Restart Kernel and Clear Outputs) and submit again"
        )
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError):  # (RecursionError: nested too deep)
        raise SubmissionError(
            f"NotJSONError: {path.name} is not valid JSON (damaged or cut off); submit a copy saved by Jupyter"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise SubmissionError(f"{path.name} is not a Jupyter notebook (no list of cells)")
    version = data.get("nbformat")
    if not isinstance(version, int) or version > 4 or version < 3:
        raise SubmissionError(
            f"{path.name} has notebook format {version!r}; the grader reads format 4 "
            "(save it with Jupyter as a .ipynb notebook, format 4)"
        )
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800") reads as JSON but cannot be written out
        raise SubmissionError(
            f"{path.name} holds text that is not valid Unicode; submit a copy saved by Jupyter"
        ) from None
    try:
        # (Outputs are never used, so they are not judged: a strange output of an extension costs nothing.)
        for cell in data["cells"]:
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                cell["outputs"], cell["execution_count"] = [], None
        with warnings.catch_warnings():  # (the error is raised below: no warnings or log lines for it)
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(json.dumps(data), as_version=4, capture_validation_error={})
            # Missing or repeated cell ids repaired, as Jupyter does when it opens the notebook.
            notebook = nbformat.from_dict(nbformat.validator.normalize(notebook)[1])
            nbformat.validate(notebook)
    except Exception as error:  # nbformat rejects broken notebooks with a variety of exceptions
        raise SubmissionError(
            f"{path.name} is not a valid Jupyter notebook ({_schema_error(data) or one_line(error)}); "
            "submit a copy saved by Jupyter"
        ) from None
    for index, cell in enumerate(notebook.cells):
        problem = nbgrader_metadata_problem(cell.metadata.get("nbgrader"))
        if problem:
            raise SubmissionError(
                f"cell {index + 1} of {path.name} has nbgrader metadata that Jupyter does not "
                f"write ({problem}); copy your answers into a fresh copy of the lesson's notebook "
                "and submit that"
            )
    return notebook


def _schema_error(data: dict) -> str | None:
    """The first place where the raw JSON breaks nbformat's schema (nbformat itself may fail with a
    TypeError first on such a notebook, which says less)."""
    try:
        errors = nbformat.validator.get_validator(version=4, version_minor=5).iter_errors(data)
        error = next(iter(errors), None)
    except Exception:
        return None
    return error.message[:300] if error is not None else None


# The nbgrader cell metadata keys and the types nbgrader writes them with (nbgrader's schema 3).
NBGRADER_TYPES = {
    "grade_id": str,
    "points": (int, float),
    "schema_version": int,
    "solution": bool,
    "grade": bool,
    "locked": bool,
    "task": bool,
    "cell_type": str,
}


def nbgrader_metadata_problem(nbgrader) -> str | None:
    """What is wrong with a cell's `nbgrader` metadata, or None (also when there is none)."""
    if nbgrader is None:
        return None
    if not isinstance(nbgrader, dict):
        return f"nbgrader is a {type(nbgrader).__name__}, not a mapping"
    for key, kinds in NBGRADER_TYPES.items():
        value = nbgrader.get(key)
        if value is None:
            continue
        if not isinstance(value, kinds) or (kinds is not bool and isinstance(value, bool)):
            return f"{key} is a {type(value).__name__}"
    points = nbgrader.get("points")
    if points is not None and not 0 <= points < float("inf"):
        return f"points is {points}"
    return None


def rebuild(submitted: NotebookNode, source: NotebookNode, released: NotebookNode) -> NotebookNode:
    """The notebook that gets run: the student's cells, with everything nbgrader trusts from the source."""
    source_cells = {
        cell.metadata["nbgrader"]["grade_id"]: cell
        for cell in source.cells
        if "grade_id" in cell.metadata.get("nbgrader", {})
    }
    stubs = {
        cell.metadata["nbgrader"]["grade_id"]: cell
        for cell in released.cells
        if "grade_id" in cell.metadata.get("nbgrader", {})
    }
    cells, seen = [], set()
    for cell in submitted.cells:
        nbgrader = cell.get("metadata", {}).get("nbgrader")
        grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
        if grade_id in source_cells and grade_id not in seen:
            seen.add(grade_id)
            cells.append(_from_source(cell, source_cells[grade_id]))
        else:
            cells.append(_plain(cell))
    # Put back what is missing, each after its predecessor in the source.
    order = list(source_cells)
    for index, grade_id in enumerate(order):
        if grade_id in seen:
            continue
        original = source_cells[grade_id]
        if utils.is_solution(original):
            original = stubs.get(grade_id, original)
            if "BEGIN SOLUTION" in original.source:  # never hand the solution itself to the kernel
                continue
        elif not (utils.is_locked(original) or utils.is_grade(original)):
            continue
        previous = next(
            (
                i
                for i, cell in reversed(list(enumerate(cells)))
                if cell.metadata.get("nbgrader", {}).get("grade_id") in order[:index]
            ),
            -1,
        )
        cells.insert(previous + 1, _copy(original))
        seen.add(grade_id)
    notebook = nbformat.v4.new_notebook()  # (cells set after: new_notebook would warn about repeated ids)
    notebook.cells = cells
    notebook.metadata = {
        key: copy.deepcopy(source.metadata[key]) for key in ("kernelspec", "language_info") if key in source.metadata
    }
    _unique_ids(notebook)
    return notebook


def _from_source(cell: NotebookNode, original: NotebookNode) -> NotebookNode:
    """The student's cell with the source's nbgrader metadata and type (and text, when locked)."""
    text = original.source if utils.is_locked(original) and not utils.is_solution(original) else cell.source
    new = _new_cell(original.cell_type, text, cell.get("id"))
    new.metadata["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
    return new


def _plain(cell: NotebookNode) -> NotebookNode:
    """A cell that is not one of the source's: kept as the student wrote it, without nbgrader metadata."""
    kind = cell.get("cell_type") if cell.get("cell_type") in ("code", "markdown", "raw") else "raw"
    return _new_cell(kind, cell.get("source", ""), cell.get("id"))


def _copy(original: NotebookNode) -> NotebookNode:
    new = _new_cell(original.cell_type, original.source, original.get("id"))
    new.metadata["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
    return new


def _new_cell(kind: str, text: str, cell_id) -> NotebookNode:
    make = {
        "code": nbformat.v4.new_code_cell,
        "markdown": nbformat.v4.new_markdown_cell,
        "raw": nbformat.v4.new_raw_cell,
    }[kind]
    cell = make(text)
    if isinstance(cell_id, str) and cell_id:
        cell.id = cell_id
    return cell


def _unique_ids(notebook: NotebookNode) -> None:
    """nbformat 4.5 wants unique cell ids made of [a-zA-Z0-9-_] (a student may have broken them)."""
    seen = set()
    for index, cell in enumerate(notebook.cells):
        cell_id = cell.get("id", "")
        valid = 1 <= len(cell_id) <= 64 and all(c.isalnum() or c in "-_" for c in cell_id) and cell_id.isascii()
        if not valid or cell_id in seen:
            cell.id = f"cell-{index}"
            while cell.id in seen:
                cell.id += "x"
        seen.add(cell.id)
