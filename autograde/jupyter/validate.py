"""nbgrader's Validate stops after the last graded cell, as grading does (autograde/execute.py).

Validate (the notebook toolbar's button, the Assignment List's, `nbgrader validate`) runs a notebook
from the top in a fresh kernel and reports its failed test cells. nbgrader runs every cell, so on
lesson 6 it also trained the closing demonstrations' models (the reward model, two RL runs, TRL's
trainer, DPO) for minutes, though nothing after the last test cell can change a test's result.

nbgrader's Validator builds its Execute preprocessor itself (its list of preprocessors is not
configurable), so the stop is made through what is: a hook that nbclient calls once the kernel has
started tags the code cells after the last graded cell with the tag that Execute skips. The hook acts
only while nbgrader validates (NBGRADER_EXECUTION, which nbgrader sets to "validate" then): grading has
its own rule and option (`--all-cells`). The notebook it tags is Validate's copy in memory; the file is
never written.
"""

import os

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
