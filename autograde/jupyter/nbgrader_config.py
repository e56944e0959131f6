"""nbgrader settings for every Jupyter started from the course's environment, students' included:
`make setup` copies this file to .venv/etc/jupyter/nbgrader_config.py, on the configuration path that
nbgrader's Validate button and `nbgrader validate` read (autograde/nbgrader_config.py, the grading
settings, is read only by `python -m autograde` and an instructor's formgrader). In a conda environment,
copy it to <environment>/etc/jupyter/nbgrader_config.py.
"""

from autograde.jupyter.validate import SKIP_TAG, skip_ungraded_tail
from autograde.limits import Limits

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

# Validate judges as grading does (autograde/jupyter/validate.py): it stops after the last graded cell,
c.Execute.skip_cells_with_tag = SKIP_TAG
c.Execute.on_notebook_start = skip_ungraded_tail
# and what a notebook writes to stderr (warnings, progress bars) does not fail a test cell.
c.Execute.extra_arguments = [
    "--IPKernelApp.extensions=autograde.jupyter.validate",
    "--IPKernelApp.capture_fd_output=False",
]
# A cell gets grading's limit, not nbgrader's 30 s: lesson 5's test cell runs the student's training
# script, and at 30 s it was interrupted and reported as failed on a correct notebook.
c.Execute.timeout = round(Limits().cell_timeout)
