"""Feedback without hidden tests: a preprocessor for nbgrader generate_feedback (see nbgrader_config.py).

The autograded notebook holds complete test cells (nbgrader puts the hidden tests back from the
source), and nbgrader's feedback HTML shows them, along with full tracebacks that quote the failing
test's lines. What a student should see of a graded cell is its visible tests, and whether it failed
and with which message.
"""

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests

HIDDEN_TESTS_NOTE = "# (hidden tests ran here; their source is not shown)"


def error_line(output: NotebookNode) -> str:
    """The one-line message of an error output, e.g. "AssertionError: result: expected 0.693, got 0.5"."""
    return f"{output.ename}: {output.evalue}" if output.evalue else output.ename


class HideHiddenTests(ClearHiddenTests):
    """nbgrader's ClearHiddenTests, plus: a graded cell keeps only its error outputs, each cut down to
    its error line (anything else the cell printed came from code that the tests called)."""

    def preprocess_cell(self, cell, resources, cell_index):
        source = cell.source
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.source != source:
            cell.source = f"{cell.source.rstrip()}\n{HIDDEN_TESTS_NOTE}"
        if utils.is_grade(cell) and cell.cell_type == "code":
            cell.outputs = [
                NotebookNode(output, traceback=[error_line(output)])
                for output in cell.outputs
                if output.output_type == "error"
            ]
        return cell, resources
