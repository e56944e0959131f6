"""nbgrader's Validate judged as grading judges: it stops after the last graded cell, and only an error
fails a test cell (autograde/execute.py and autograde/nbgrader_config.py are grading's rules).

Validate (the notebook toolbar's button, the Assignment List's, `nbgrader validate`) runs a notebook
from the top in a fresh kernel and reports its failed test cells. Left as nbgrader ships it, it
- runs every cell: on lesson 6 it also trained the closing demonstrations' models for minutes, though
  nothing after the last test cell can change a test's result;
- fails a test cell that wrote anything to stderr: a correct lesson 5 does (transformers warns when it
  loads a model), and so do warnings and progress bars, which grading ignores.

Its Validator builds its Execute preprocessor itself (its list of preprocessors is not configurable),
so both are set through what is: a hook that nbclient calls once the kernel has started tags the code
cells after the last graded cell with the tag that Execute skips (the notebook tagged is Validate's
copy in memory, never written), and Validate's kernel loads this module as an IPython extension, which
sends what the notebook writes to stderr to stdout. The hook acts only while nbgrader validates
(NBGRADER_EXECUTION is "validate" then): grading has its own rule and option (`--all-cells`).
"""

import os
import sys

from nbformat import NotebookNode

from autograde.execute import last_marked_cell

SKIP_TAG = "skip-execution"  # (set as Execute.skip_cells_with_tag by autograde/jupyter/nbgrader_config.py)


def skip_ungraded_tail(notebook: NotebookNode, **_) -> None:
    """nbclient's on_notebook_start hook: tag the code cells after the last graded cell to be skipped."""
    if os.environ.get("NBGRADER_EXECUTION") != "validate":
        return
    last = last_marked_cell(notebook)
    if last is None:
        return
    for cell in notebook.cells[last + 1 :]:
        tags = cell.metadata.setdefault("tags", [])
        if cell.cell_type == "code" and SKIP_TAG not in tags:
            tags.append(SKIP_TAG)


def load_ipython_extension(shell) -> None:
    """In Validate's kernel (IPKernelApp.extensions): stderr written from Python goes to stdout, which
    nbgrader does not count as a failure. (Output written straight to file descriptor 2, by C code or
    a child process, is not captured into the notebook there: IPKernelApp.capture_fd_output is off.)"""
    sys.stderr = sys.stdout
