"""autograde/verdict.py on small notebooks: the score of each test cell, decided from the executed
notebook's outputs and check records against the source, never from the submission's metadata."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograde.checks import RECORD_MIME
from autograde.results import ExerciseResult
from autograde.verdict import graded_cells, judge, literal_expectations, not_graded, top_level_checks

CHECKED = 'assert_close(f(2.0), 0.5, what="f(2.0)")\nassert_true(g() is None, "g returns None")'
UNCHECKED = "assert f(1.0) > 0"


def graded(grade_id: str, source: str, points, **extra):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "points": points, "solution": False, **extra}
    return cell


def source_notebook():
    answer = new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x / 4\n    ### END SOLUTION")
    answer.metadata["nbgrader"] = {"grade": False, "grade_id": "answer", "solution": True}
    both = graded("answer_and_test", "x = 1", 5, solution=True)  # (manually graded: not an autograded test)
    return new_notebook(
        cells=[new_markdown_cell("# Toy"), answer, graded("checked", CHECKED, 2), graded("plain", UNCHECKED, 1), both]
    )


def record(**fields):
    return new_output("display_data", data={RECORD_MIME: fields})


CLOSE = {"check": "close", "what": "f(2.0)", "got": ["0.5"], "want": ["0.5"], "atol": "1e-05", "rtol": "1e-05"}
TRUE = {"check": "true", "what": "g returns None", "passed": True}


def executed(checked_outputs=None, plain_outputs=(), checked_source=None, count=1, extra_cells=()):
    """The source's test cells as nbgrader ran them (graded metadata as in the source)."""
    source = source_notebook()
    checked, plain = (nbformat.from_dict(cell) for cell in source.cells[2:4])
    checked.source = CHECKED if checked_source is None else checked_source
    checked.outputs = [record(**CLOSE), record(**TRUE)] if checked_outputs is None else list(checked_outputs)
    plain.outputs = list(plain_outputs)
    checked.execution_count = plain.execution_count = count
    return new_notebook(cells=[*source.cells[:2], checked, plain, *extra_cells])


def verdicts(notebook) -> dict[str, tuple[float, str | None]]:
    return {result.id: (result.points, result.message) for result in judge(source_notebook(), notebook)}


def test_only_autograded_test_cells_count():
    assert [cell.metadata.nbgrader.grade_id for cell in graded_cells(source_notebook())] == ["checked", "plain"]


def test_a_notebook_whose_checks_all_ran_and_passed_gets_every_point():
    assert judge(source_notebook(), executed()) == [
        ExerciseResult("checked", 2.0, 2.0, None),
        ExerciseResult("plain", 1.0, 1.0, None),
    ]


def test_an_error_output_fails_that_cell_with_its_error_line():
    error = new_output("error", ename="AssertionError", evalue="f(2.0): expected 0.5, got 0.25", traceback=[])
    assert verdicts(executed(checked_outputs=[error, record(**CLOSE), record(**TRUE)])) == {
        "checked": (0.0, "AssertionError: f(2.0): expected 0.5, got 0.25"),
        "plain": (1.0, None),
    }
    bare = new_output("error", ename="NotRun", evalue="", traceback=[])
    assert verdicts(executed(plain_outputs=[bare]))["plain"] == (0.0, "NotRun")


def test_a_cell_that_did_not_run_fails():
    assert verdicts(executed(count=None)) == {
        "checked": (0.0, "the test cell did not run"),
        "plain": (0.0, "the test cell did not run"),
    }


def test_a_missing_or_duplicated_or_changed_test_cell_fails():
    notebook = executed()
    del notebook.cells[3]
    assert verdicts(notebook)["plain"] == (0.0, "the test cell is missing in the graded notebook")
    notebook = executed(extra_cells=[nbformat.from_dict(executed().cells[3])])
    assert verdicts(notebook)["plain"] == (0.0, "the test cell is duplicated in the graded notebook")
    assert verdicts(executed(checked_source="pass"))["checked"] == (
        0.0,
        "the test cell does not hold the lesson's tests",
    )
    # The grader's notice before the tests is fine; the tests must end the cell.
    assert verdicts(executed(checked_source="# notice\n" + CHECKED))["checked"] == (2.0, None)
    assert verdicts(executed(checked_source=CHECKED + "\npass"))["checked"][0] == 0.0
    markdown = executed()
    markdown.cells[3] = nbformat.from_dict({**markdown.cells[3], "cell_type": "markdown"})
    del markdown.cells[3]["outputs"], markdown.cells[3]["execution_count"]
    assert verdicts(markdown)["plain"] == (0.0, "the test cell does not hold the lesson's tests")


def test_fewer_records_than_checks_fails():
    assert verdicts(executed(checked_outputs=[record(**CLOSE)]))["checked"] == (
        0.0,
        "the tests' checks did not all run (1 of 2 reported): was autograde.checks replaced or silenced?",
    )


def test_each_record_is_compared_again_by_the_grader():
    wrong = {**CLOSE, "got": ["0.25"]}
    assert verdicts(executed(checked_outputs=[record(**wrong), record(**TRUE)]))["checked"] == (
        0.0,
        "AssertionError: f(2.0): expected 0.5, got 0.25 (checked by the grader)",
    )
    false = {**TRUE, "passed": False}
    assert verdicts(executed(checked_outputs=[record(**CLOSE), record(**false)]))["checked"] == (
        0.0,
        "AssertionError: g returns None (checked by the grader)",
    )


def test_a_check_patched_to_compare_with_another_value_fails():
    """The source writes 0.5: a passing record of f(2.0) that compared with 0.25 does not count."""
    patched = {**CLOSE, "got": ["0.25"], "want": ["0.25"]}
    assert verdicts(executed(checked_outputs=[record(**patched), record(**TRUE)]))["checked"] == (
        0.0,
        "f(2.0): the check against the expected value did not run as written",
    )
    renamed = {**CLOSE, "what": "other"}
    assert verdicts(executed(checked_outputs=[record(**renamed), record(**TRUE)]))["checked"][0] == 0.0


@pytest.mark.parametrize(
    "fields, message",
    [
        ({**CLOSE, "got": ["0.500016"]}, "f(2.0): expected 0.5, got 0.500016"),  # past 1e-5 + 1e-5 * 0.5
        ({**CLOSE, "got": ["nan"]}, "f(2.0): expected 0.5, got nan"),
        ({**CLOSE, "want": ["inf"], "got": ["inf"]}, "f(2.0): expected inf, got inf"),
        ({**CLOSE, "got": ["0.5", "1"]}, "f(2.0): expected 1 values, got 2"),
        ({**CLOSE, "got": ["0.5"], "want": []}, "f(2.0): expected 0 values, got 1"),
        ({"check": "shape", "what": "y", "got": [2, 3], "want": [3, 2]}, "y: wrong shape"),
        ({"check": "sympy_zero", "what": "d", "simplified": "x"}, "d: does not simplify to 0"),
        ({"check": "close_summary", "what": "big", "n": 30000, "passed": False}, "big"),
        ({"check": "true", "what": "claim", "passed": 1}, "claim"),
        ({"check": "close", "what": "f"}, "a check record the grader cannot read"),
        ({"check": "unknown"}, "a check record the grader cannot read"),
        ({**CLOSE, "got": ["half"]}, "a check record the grader cannot read"),
    ],
)
def test_a_failing_or_unreadable_record_fails_the_cell(fields, message):
    outputs = [record(**fields), record(**CLOSE), record(**TRUE)]
    assert verdicts(executed(checked_outputs=outputs))["checked"] == (
        0.0,
        f"AssertionError: {message} (checked by the grader)",
    )


@pytest.mark.parametrize(
    "fields",
    [
        {**CLOSE, "got": ["0.500014"]},  # within 1e-5 + 1e-5 * 0.5
        {"check": "shape", "what": "y", "got": [2, 3], "want": [2, 3]},
        {"check": "sympy_zero", "what": "d", "simplified": "0"},
        {"check": "close_summary", "what": "big", "n": 30000, "passed": True},
        {"check": "close", "what": "none", "got": [], "want": [], "atol": "0", "rtol": "0"},
    ],
)
def test_a_passing_record_of_any_kind_passes(fields):
    outputs = [record(**fields), record(**CLOSE), record(**TRUE)]
    assert verdicts(executed(checked_outputs=outputs))["checked"] == (2.0, None)


def test_other_outputs_are_not_records():
    text = new_output("stream", name="stdout", text="assert_close was here")
    other = new_output("display_data", data={"text/plain": "0.5"})
    assert verdicts(executed(checked_outputs=[text, other, record(**CLOSE), record(**TRUE)]))["checked"] == (2.0, None)
    assert verdicts(executed(checked_outputs=[text, other]))["checked"][0] == 0.0


def test_not_graded_gives_every_test_cell_0_with_the_reason():
    assert not_graded(source_notebook(), "empty file") == [
        ExerciseResult("checked", 0.0, 2.0, "not graded: empty file"),
        ExerciseResult("plain", 0.0, 1.0, "not graded: empty file"),
    ]


def test_top_level_checks_counts_the_calls_that_surely_run():
    code = (
        "assert_close(a, 1.0)\n"
        "checks.assert_true(b, 'b')\n"
        "assert_shape(c, (1,)); assert_sympy_zero(d)\n"
        "for x in xs:\n    assert_close(x, 0.0)\n"
        "if flag:\n    assert_true(flag, 'f')\n"
        "y = assert_close(a, 1.0)\n"
        "print(1)\n"
        "something_else(2)\n"
    )
    assert top_level_checks(code) == 4
    assert top_level_checks("%%time\nassert_close(a, 1)") == 0
    assert top_level_checks("") == 0


def test_literal_expectations_are_the_numbers_written_in_the_source():
    code = (
        'assert_close(f(2.0), -0.127, what="f(2.0)")\n'
        'assert_close(g(), [1, 2.5], 1e-3, 1e-3, "g()")\n'
        "assert_close(h(), 0.5)\n"
        'assert_close(k(), expected=3, what="k()")\n'
        'assert_close(m(), reference(), what="m()")\n'
        'assert_close(n(), [0.1, "a"], what="n()")\n'
        "assert_close(p(), 1.0, what=label)\n"
        'checks.assert_close(q(), 2.0, what="q()")\n'
        'assert_true(r() == 1.0, "r")\n'
        'for x in xs:\n    assert_close(x, 0.0, what="x")\n'
    )
    assert literal_expectations(code) == [
        ("f(2.0)", [-0.127]),
        ("g()", [1.0, 2.5]),
        ("result", [0.5]),
        ("k()", [3.0]),
        ("q()", [2.0]),
    ]
    assert literal_expectations("%%time\nassert_close(a, 1.0)") == []
