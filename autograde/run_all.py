""" "Restart Kernel and Run All Cells" that reaches the end of a student notebook with unfinished exercises.

JupyterLab, Notebook 7 and nbclient stop a Run All at the first cell that raises, unless the cell
carries the `raises-exception` tag. In a student notebook the cells that can raise are the answer cells
(the stub raises NotImplementedError, and work in progress may fail) and the test cells (they fail until
the answer is right). `python -m autograde generate` tags them in course/, so the tags are recomputed
from the nbgrader metadata each time the course is generated. Grading is unchanged: nbgrader runs every
cell whatever its tags.
"""

from nbformat import NotebookNode
from nbgrader import utils

RAISES_TAG = "raises-exception"


def may_raise(cell: NotebookNode) -> bool:
    """An answer or test code cell: one that can fail while the student works."""
    return cell.cell_type == "code" and (utils.is_solution(cell) or utils.is_grade(cell))


def tag_cells_that_may_raise(notebook: NotebookNode) -> None:
    for cell in notebook.cells:
        if may_raise(cell) and RAISES_TAG not in cell.metadata.get("tags", []):
            cell.metadata["tags"] = [*cell.metadata.get("tags", []), RAISES_TAG]
