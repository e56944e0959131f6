"""nbgrader's Validate with the setting `make setup` installs (autograde/jupyter/nbgrader_config.py): it
stops after the last graded cell, as grading does, and still runs and reports every test cell before;
what an answer writes to stderr (the toy's correct `mean` prints a progress line and a warning there)
does not fail its test, as in grading.

`nbgrader validate` reads its configuration from Jupyter's configuration path, as the Validate button's
server handler does; here that path starts with a folder holding only the file `make setup` copies.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader import utils

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "fixtures" / "toy" / "toy" / "toy.ipynb"  # its solutions pass every test
MARKER = "tail-ran"


def validate(notebook: nbformat.NotebookNode, folder: Path) -> str:
    """nbgrader validate's report on `notebook`, run in `folder` with the course's Validate setting."""
    config = folder / "config"
    config.mkdir()
    shutil.copyfile(ROOT / "autograde" / "jupyter" / "nbgrader_config.py", config / "nbgrader_config.py")
    nbformat.write(notebook, folder / "toy.ipynb")
    environment = {**os.environ, "JUPYTER_CONFIG_PATH": str(config)}
    nbgrader = Path(sys.executable).parent / "nbgrader"
    run = subprocess.run(
        [str(nbgrader), "validate", "toy.ipynb"], cwd=folder, env=environment, capture_output=True, text=True
    )
    return run.stdout + run.stderr


def with_tail(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """`notebook` with a closing demonstration after its last graded cell that leaves a file behind."""
    notebook.cells.append(nbformat.v4.new_code_cell(f"open({MARKER!r}, 'w').close()"))
    return notebook


@pytest.mark.parametrize("solved", [True, False], ids=["solved", "one-exercise-wrong"])
def test_validate_stops_after_the_last_graded_cell_and_reports_the_tests_before(tmp_path, solved):
    notebook = with_tail(nbformat.read(TOY, as_version=4))
    if not solved:
        answer = next(cell for cell in notebook.cells if utils.is_solution(cell) and "def mean" in cell.source)
        answer.source = "def mean(values):\n    return sum(values)\n"
    report = validate(notebook, tmp_path)
    assert not (tmp_path / MARKER).exists(), f"the cell after the last graded cell ran: {report[-2000:]}"
    if solved:
        assert "Success! Your notebook passes all the tests." in report, report[-2000:]
    else:
        assert "VALIDATION FAILED ON 1 CELL(S)" in report and "mean([1.0, 2.0])" in report, report[-2000:]
