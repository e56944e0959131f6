"""nbgrader settings for every Jupyter started from the course's environment, students' included:
`make setup` copies this file to .venv/etc/jupyter/nbgrader_config.py, on the configuration path that
nbgrader's Validate button and `nbgrader validate` read (autograde/nbgrader_config.py, the grading
settings, is read only by `python -m autograde` and an instructor's formgrader). In a conda environment,
copy it to <environment>/etc/jupyter/nbgrader_config.py.
"""

from autograde.jupyter.validate import SKIP_TAG, skip_ungraded_tail
from autograde.limits import Limits

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

# Validate stops after the last graded cell, as grading does (autograde/jupyter/validate.py).
c.Execute.skip_cells_with_tag = SKIP_TAG
c.Execute.on_notebook_start = skip_ungraded_tail
# A cell gets grading's limit, not nbgrader's 30 s: lesson 5's test cells run the student's training
# script, and a cell stopped at 30 s ended Validate with "nbgrader encountered a fatal error".
c.Execute.timeout = round(Limits().cell_timeout)
