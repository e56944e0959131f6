"""Run All reaches the last cell of an untouched student notebook (autograde/run_all.py).

nbclient stops at a failing cell unless it is tagged `raises-exception`, as JupyterLab's and
Notebook 7's Run All do (tests/test_browser.py checks JupyterLab itself on one lesson).
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from autograde.run_all import RAISES_TAG, may_raise

ROOT = Path(__file__).resolve().parents[1]
STUDENT_NOTEBOOKS = sorted((ROOT / "course").glob("*/*/*.ipynb"))  # course/<language>/<id>/<id>.ipynb
# The editions' code cells and tags are the same by construction (tests/test_editions.py): a Run All of
# one edition reaching the end is one of the other's.
RUN_ALL = [path for path in STUDENT_NOTEBOOKS if path.parts[-3] == "en"]


def edition_and_lesson(path: Path) -> str:
    return f"{path.parts[-3]}-{path.stem}"


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=edition_and_lesson)
def test_answer_and_test_cells_are_tagged_and_nothing_else(path):
    notebook = nbformat.read(path, as_version=4)
    tagged = [index for index, cell in enumerate(notebook.cells) if RAISES_TAG in cell.metadata.get("tags", [])]
    expected = [index for index, cell in enumerate(notebook.cells) if may_raise(cell)]
    assert expected and tagged == expected, f"{path.name}: run `make course` (python -m autograde generate)"


@pytest.mark.slow
@pytest.mark.parametrize("path", RUN_ALL, ids=edition_and_lesson)
def test_run_all_of_an_untouched_lesson_reaches_the_last_cell(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(tmp_path)}},
    )  # files it writes go there
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{path.name}: Run All stopped at an untagged cell: {error.ename}: {error.evalue}")
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code_cells), "every code cell ran"
    errors = [cell for cell in code_cells if any(out.output_type == "error" for out in cell.outputs)]
    assert errors and all(RAISES_TAG in cell.metadata["tags"] for cell in errors), (
        "the unfinished exercises fail, in tagged cells only"
    )
    shown = [out.data["text/plain"] for out in code_cells[0].outputs if out.output_type == "execute_result"]
    assert not shown, f"the setup cell's last line shows a value (e.g. torch.manual_seed's generator): {shown}"
