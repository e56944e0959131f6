"""nbgrader settings for this course.

Every nbgrader run of `python -m autograde` loads this file explicitly (`--config`), so it does not
matter from which directory a command is called. nbgrader's formgrader finds it through
`JUPYTER_CONFIG_PATH` (see docs/instructor-guide.md). The temporary course directories that `check`
and `grade` use override `CourseDirectory.root` (and where source and release live) on the command
line, which takes precedence over this file.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

# solutions/<id>/<id>.ipynb is the source, course/<language>/<id>/<id>.ipynb the generated student
# versions; nbgrader's own release folder is the Japanese edition's, the one it generates (the English
# edition is translated from it: autograde/course.py).
c.CourseDirectory.root = str(Path(__file__).resolve().parent.parent)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course/ja"

# The markers of docs/authoring.md; the stub is nbgrader's default, written out so that it is fixed here.
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearSolutions.code_stub = {"python": '# YOUR CODE HERE\nraise NotImplementedError("exercise not done yet")'}
c.ClearHiddenTests.enabled = True
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# One grading path: nbgrader autograde outside `python -m autograde` (the formgrader's Autograde button)
# is refused before nbgrader removes anything (autograde/one_grading_path.py).
c.Autograde.exporter_class = "autograde.one_grading_path.OnlyOurGradingExporter"

# nbgrader's Execute, with time limits in CPU time, a kernel that is killed when a cell ignores the
# interrupt at its limit, a dead kernel that costs only the cells from there on, and a cap on each
# cell's output (autograde/execute.py; the limits come from `python -m autograde`, which alone can
# run it). Otherwise nbgrader's own list.
c.Autograde.autograde_preprocessors = [
    "autograde.execute.GuardedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# nbgrader gives 0 to a graded cell that wrote anything to stderr. Warnings and progress bars of a
# correct answer appear in the test cell that calls it, so drop stderr before grading: only error
# outputs (a failed assertion, an exception, a timeout) fail a test.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = ".*"

# A submission that deleted a graded test cell gets it back from the source (otherwise nbgrader
# silently leaves the exercise ungraded).
c.OverwriteCells.add_missing_cells = True

# nbgrader's feedback shows the whole graded cell, hidden tests included, and full tracebacks that
# quote them: remove the hidden region and keep only the error line.
# (Dotted names: imported only when feedback is generated, so a broken import cannot keep the rest
# of this file from loading.)
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograde.feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Math offline: nbgrader's feedback and formgrade pages (templates based on nbconvert's classic one)
# load MathJax from a CDN. Our mathjax macro, autograde/jupyter/nbconvert/templates/classic/, loads the
# copy that the Jupyter server serves from the jupyter_server_mathjax package instead. It is found
# through JUPYTER_PATH, which Jupyter reads when it looks templates up: the formgrader fixes its exporter's
# own template folders, so a configured template folder would not reach it. This file runs in the
# process that renders the pages (nbgrader, or the Jupyter server of the formgrader).
_templates = str(Path(__file__).resolve().parent / "jupyter")
if _templates not in os.environ.get("JUPYTER_PATH", "").split(os.pathsep):
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [_templates, os.environ.get("JUPYTER_PATH")]))
