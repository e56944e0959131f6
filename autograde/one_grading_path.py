"""nbgrader autograde started any other way than by `python -m autograde` (the formgrader's Autograde
button, a plain `nbgrader autograde`) is refused before it touches anything.

nbgrader's converter removes the submission's autograded folder (the results of `grade`) before it runs
a single preprocessor, so autograde/execute.py's own refusal came too late: the student was left with
no score. nbgrader creates its exporter before that removal, and `c.Autograde.exporter_class` (set in
autograde/nbgrader_config.py) makes it this one, which refuses unless it runs in our grading's sandbox
(`LIMITS_VARIABLE` is set only there, autograde/environment.py). The reason is the first line of the log
that the formgrader shows.
"""

import os

from nbconvert.exporters import NotebookExporter

from autograde.execute import OTHER_PATH_REFUSED
from autograde.limits import LIMITS_VARIABLE

# The first line of the formgrader's log panel, short enough to be read whole there; the why follows.
REFUSED = "Refused, nothing was changed: grade with `python -m autograde grade`"


class GradingRefused(RuntimeError):
    """nbgrader autograde outside `python -m autograde`."""


class OnlyOurGradingExporter(NotebookExporter):
    """nbgrader's own exporter (NotebookExporter) inside our grading; an error anywhere else."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if LIMITS_VARIABLE not in os.environ:
            self.log.error(REFUSED)
            self.log.error(OTHER_PATH_REFUSED)
            raise GradingRefused(f"{REFUSED}: {OTHER_PATH_REFUSED}")
