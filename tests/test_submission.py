"""autograde/submission.py on small notebooks: which files are refused and why, and what the rebuilt
notebook takes from the source (metadata, locked text, missing cells) and from the student (answers)."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograde.submission import SubmissionError, nbgrader_metadata_problem, read_submission, rebuild


def marked(cell, grade_id: str, **flags):
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, **flags}
    cell.id = grade_id
    return cell


def source_notebook():
    notebook = new_notebook(
        cells=[
            marked(new_markdown_cell("# Lesson"), "intro", locked=True, grade=False, solution=False),
            marked(
                new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
                "answer",
                solution=True,
                grade=False,
                locked=False,
            ),
            marked(new_code_cell("assert f(1) == 2"), "test", grade=True, solution=False, locked=True, points=2),
            marked(new_code_cell("import math"), "setup", locked=True, grade=False, solution=False),
        ]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def released_notebook():
    released = source_notebook()
    released.cells[1].source = "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    return released


def student_notebook():
    """The released notebook as a student hands it in: the answer written, a cell of their own."""
    notebook = released_notebook()
    notebook.cells[1].source = "def f(x):\n    return x + x"
    notebook.cells.insert(2, new_code_cell("print(f(3))"))
    notebook.metadata = {"kernelspec": {"name": "evil", "display_name": "x", "language": "python"}}
    return notebook


def cells(notebook) -> list[tuple[str, str | None, str]]:
    return [(cell.cell_type, cell.metadata.get("nbgrader", {}).get("grade_id"), cell.source) for cell in notebook.cells]


def test_an_honest_submission_keeps_its_answers_and_gets_the_sources_metadata():
    rebuilt = rebuild(student_notebook(), source_notebook(), released_notebook())
    source = source_notebook()
    assert cells(rebuilt) == [
        ("markdown", "intro", "# Lesson"),
        ("code", "answer", "def f(x):\n    return x + x"),
        ("code", None, "print(f(3))"),
        ("code", "test", "assert f(1) == 2"),
        ("code", "setup", "import math"),
    ]
    assert [cell.metadata.get("nbgrader") for cell in rebuilt.cells if cell.metadata.get("nbgrader")] == [
        cell.metadata.nbgrader for cell in source.cells
    ]
    assert rebuilt.metadata == {"kernelspec": source.metadata.kernelspec, "language_info": {"name": "python"}}
    nbformat.validate(rebuilt)


def test_locked_cells_get_the_sources_text_and_type_back():
    student = student_notebook()
    student.cells[3].source = "pass  # the test, removed"
    student.cells[3].metadata["nbgrader"].update(points=100, grade_id="test")
    student.cells[0] = nbformat.from_dict({**student.cells[0], "cell_type": "raw"})
    student.cells[4].source = "import os"
    rebuilt = rebuild(student, source_notebook(), released_notebook())
    assert cells(rebuilt)[0] == ("markdown", "intro", "# Lesson")
    assert cells(rebuilt)[3:] == [("code", "test", "assert f(1) == 2"), ("code", "setup", "import math")]
    assert rebuilt.cells[3].metadata.nbgrader.points == 2


def test_invented_and_repeated_graded_cells_grade_nothing():
    student = student_notebook()
    student.cells[2].metadata["nbgrader"] = {"grade_id": "bonus", "grade": True, "points": 50}
    copy = nbformat.from_dict(student.cells[3])
    copy.id = "copy"
    copy.source = "pass"
    student.cells.append(copy)
    student.cells[1].metadata["nbgrader"]["locked"] = True  # (an answer cell claiming to be locked)
    rebuilt = rebuild(student, source_notebook(), released_notebook())
    assert cells(rebuilt)[2] == ("code", None, "print(f(3))")
    assert cells(rebuilt)[-1] == ("code", None, "pass")
    assert cells(rebuilt)[1] == ("code", "answer", "def f(x):\n    return x + x")
    assert rebuilt.cells[1].metadata.nbgrader["locked"] is False
    assert [grade_id for _, grade_id, _ in cells(rebuilt)].count("test") == 1


def test_missing_cells_come_back_after_their_predecessor_and_answers_as_the_stub():
    student = student_notebook()
    del student.cells[3]  # the test
    del student.cells[1]  # the answer
    del student.cells[0]  # the introduction
    rebuilt = rebuild(student, source_notebook(), released_notebook())
    assert cells(rebuilt) == [
        ("markdown", "intro", "# Lesson"),
        ("code", "answer", "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"),
        ("code", "test", "assert f(1) == 2"),
        ("code", None, "print(f(3))"),
        ("code", "setup", "import math"),
    ]


def test_a_missing_answer_without_a_released_stub_is_not_taken_from_the_solution():
    student = student_notebook()
    del student.cells[1]
    released = released_notebook()
    del released.cells[1]
    assert "answer" not in [grade_id for _, grade_id, _ in cells(rebuild(student, source_notebook(), released))]


def test_unmarked_missing_cells_are_not_put_back():
    source = source_notebook()
    source.cells[3].metadata["nbgrader"]["locked"] = False  # an ordinary cell that has a grade_id
    student = student_notebook()
    del student.cells[4]
    assert "setup" not in [grade_id for _, grade_id, _ in cells(rebuild(student, source, released_notebook()))]


def test_cell_types_and_ids_are_repaired():
    student = student_notebook()
    student.cells[2] = nbformat.from_dict({**student.cells[2], "cell_type": "heading"})
    student.cells[1].id = "bad id!"
    student.cells[4].id = student.cells[0].id
    rebuilt = rebuild(student, source_notebook(), released_notebook())
    assert rebuilt.cells[2].cell_type == "raw" and rebuilt.cells[2].source == "print(f(3))"
    ids = [cell.id for cell in rebuilt.cells]
    assert len(set(ids)) == len(ids) and ids[1] == "cell-1" and ids[0] == "intro"
    nbformat.validate(rebuilt)


def test_outputs_are_not_carried_over():
    student = student_notebook()
    student.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi")]
    student.cells[1].execution_count = 3
    rebuilt = rebuild(student, source_notebook(), released_notebook())
    assert rebuilt.cells[1].outputs == [] and rebuilt.cells[1].execution_count is None


# --- read_submission ---


def write(tmp_path, content) -> object:
    path = tmp_path / "lesson.ipynb"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_a_saved_notebook_is_read_with_its_outputs_dropped(tmp_path):
    data = json.loads(nbformat.writes(student_notebook()))
    data["cells"][1].update(outputs=[{"output_type": "weird", "anything": 1}], execution_count=7)
    read = read_submission(write(tmp_path, data), max_mb=1)
    assert [cell.source for cell in read.cells] == [cell.source for cell in student_notebook().cells]
    assert read.cells[1].outputs == [] and read.cells[1].execution_count is None


def test_missing_and_repeated_cell_ids_are_repaired_as_jupyter_does(tmp_path):
    data = json.loads(nbformat.writes(student_notebook()))
    del data["cells"][0]["id"]
    data["cells"][2]["id"] = data["cells"][1]["id"]
    read = read_submission(write(tmp_path, data), max_mb=1)
    ids = [cell.id for cell in read.cells]
    assert len(set(ids)) == len(ids) == 5


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "lesson.ipynb is empty; save the notebook in Jupyter and submit it again"),
        ('{"cells": [', "NotJSONError: lesson.ipynb is not valid JSON (damaged or cut off)"),
        ("[" * 100000 + "]" * 100000, "NotJSONError"),
        ("[]", "lesson.ipynb is not a Jupyter notebook (no list of cells)"),
        ('{"cells": {}}', "lesson.ipynb is not a Jupyter notebook (no list of cells)"),
        ('{"cells": [], "nbformat": 5}', "lesson.ipynb has notebook format 5; the grader reads format 4"),
        ('{"cells": [], "nbformat": 2}', "has notebook format 2"),
        ('{"cells": [], "nbformat": "4"}', "has notebook format '4'"),
        ('{"cells": [{"cell_type": "code"}], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "is not a valid"),
        ('{"cells": ["\\ud800"], "nbformat": 4}', "holds text that is not valid Unicode"),
    ],
)
def test_a_file_that_is_no_notebook_is_refused_with_a_reason(tmp_path, content, message):
    with pytest.raises(SubmissionError) as raised:
        read_submission(write(tmp_path, content), max_mb=1)
    assert message in str(raised.value)


def test_a_notebook_over_the_size_limit_is_refused(tmp_path):
    path = write(tmp_path, nbformat.writes(student_notebook()))
    size_mb = path.stat().st_size / 1024 / 1024
    assert read_submission(path, max_mb=size_mb).cells
    with pytest.raises(SubmissionError, match=r"^lesson.ipynb is 0 MB, more than the 0.001 MB allowed; clear"):
        read_submission(path, max_mb=0.001)


def test_nbgrader_metadata_of_the_wrong_type_is_refused_with_its_cell(tmp_path):
    notebook = student_notebook()
    notebook.cells[3].metadata["nbgrader"]["grade_id"] = ["x"]
    with pytest.raises(
        SubmissionError, match="^cell 4 of lesson.ipynb has nbgrader metadata .* [(]grade_id is a list[)]"
    ):
        read_submission(write(tmp_path, nbformat.writes(notebook)), max_mb=1)


@pytest.mark.parametrize(
    "metadata, problem",
    [
        (None, None),
        ({}, None),
        ({"grade_id": "a", "points": 2, "grade": True, "solution": False, "locked": True, "schema_version": 3}, None),
        ({"points": 1.5, "task": False, "cell_type": "code"}, None),
        ({"points": 0}, None),
        ([], "nbgrader is a list, not a mapping"),
        ("x", "nbgrader is a str, not a mapping"),
        ({"grade_id": 3}, "grade_id is a int"),
        ({"points": "2"}, "points is a str"),
        ({"points": True}, "points is a bool"),
        ({"schema_version": False}, "schema_version is a bool"),
        ({"grade": 1}, "grade is a int"),
        ({"solution": "yes"}, "solution is a str"),
        ({"locked": 0}, "locked is a int"),
        ({"task": None, "cell_type": 1}, "cell_type is a int"),
        ({"points": -1}, "points is -1"),
        ({"points": float("inf")}, "points is inf"),
        ({"points": float("nan")}, "points is nan"),
    ],
)
def test_nbgrader_metadata_problem(metadata, problem):
    assert nbgrader_metadata_problem(metadata) == problem
