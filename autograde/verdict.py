"""Scores decided outside the student's kernel, from the executed notebook and the source notebook.

nbgrader's own scores are not used: they come from the scratch gradebook and notebook metadata,
which the sandboxed nbgrader process wrote, and nbgrader gives partial credit to a test cell whose
last line prints a number. Here, for each graded code cell of the *source* (its grade_id and points
come from there, never from the submission), a test passes only if:
- the executed notebook holds exactly one cell with that grade_id, whose source ends with the
  source's test code (nbgrader put it back from the source; the grader's notice may precede it);
- it ran, and left no error output (a failed check, an exception, a time limit, a dead kernel);
- it left at least as many check records (autograde/checks.py) as its source has checks at top
  level, and each record, compared again here on plain numbers, passes;
- where the source writes a check's expected value as a number (`assert_close(f(2.0), -0.127,
  what="f(2.0)")`), a passing record of that check holds that very number: a check patched in the
  kernel to compare with something else does not count.
A test cell whose source calls no check is judged by its errors alone. The test cell of an exercise
that autograde/kit_exercises.py lists kit functions for must also carry the record of the grader's
watch of the course kit (autograde/kit_watch.py), as its source lists them, still in place at the end,
and showing no student code that called (or was) one of them.
"""

import ast
import math

from nbformat import NotebookNode
from nbgrader import utils

from autograde.checks import RECORD_MIME, distinct_digits
from autograde.feedback import error_line
from autograde.kit_exercises import KIT_FUNCTIONS
from autograde.kit_watch import WATCH_CHECK
from autograde.results import ExerciseResult

CHECKS = {"assert_close", "assert_true", "assert_shape", "assert_sympy_zero"}
VERDICT_ERROR = "GraderVerdict"  # the error a test cell gets in the graded notebook when it failed here only


def graded_cells(source: NotebookNode) -> list[NotebookNode]:
    """The source's automatically graded test cells (code cells marked grade, not solution)."""
    return [
        cell
        for cell in source.cells
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)
    ]


def judge(source: NotebookNode, executed: NotebookNode) -> list[ExerciseResult]:
    by_id: dict[str, list[NotebookNode]] = {}
    for cell in executed.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            by_id.setdefault(grade_id, []).append(cell)
    verdicts = []
    for test in graded_cells(source):
        grade_id = test.metadata["nbgrader"]["grade_id"]
        max_points = float(test.metadata["nbgrader"]["points"])
        problem = _problem(test, by_id.get(grade_id, []))
        verdicts.append(ExerciseResult(grade_id, 0.0 if problem else max_points, max_points, problem))
    return verdicts


def explain_failures(executed: NotebookNode, verdicts: list[ExerciseResult]) -> None:
    """Each failed test cell that shows no error gets the verdict's reason as one (`VERDICT_ERROR`):
    the feedback shows a test cell's errors only, and a failure decided here (delegation to the kit,
    a check redone on its record) would otherwise look like a pass next to its 0 points."""
    failed = {verdict.id: verdict.message for verdict in verdicts if verdict.message and verdict.points == 0}
    for cell in executed.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        outputs = cell.get("outputs", [])
        if grade_id in failed and not any(output.get("output_type") == "error" for output in outputs):
            message = failed.pop(grade_id)
            outputs.append(
                NotebookNode(
                    output_type="error", ename=VERDICT_ERROR, evalue=message, traceback=[f"{VERDICT_ERROR}: {message}"]
                )
            )


def not_graded(source: NotebookNode, reason: str) -> list[ExerciseResult]:
    """A 0 for each graded cell of a notebook that could not be graded, with the reason."""
    return [
        ExerciseResult(
            cell.metadata["nbgrader"]["grade_id"],
            0.0,
            float(cell.metadata["nbgrader"]["points"]),
            f"not graded: {reason}",
        )
        for cell in graded_cells(source)
    ]


def _problem(test: NotebookNode, copies: list[NotebookNode]) -> str | None:
    """Why this test cell fails, or None if it passed."""
    if len(copies) != 1:
        return f"the test cell is {'missing' if not copies else 'duplicated'} in the graded notebook"
    cell = copies[0]
    if cell.cell_type != "code" or not cell.source.rstrip().endswith(test.source.rstrip()):
        return "the test cell does not hold the lesson's tests"
    records = [
        output["data"][RECORD_MIME]
        for output in cell.get("outputs", [])
        if output.get("output_type") == "display_data" and RECORD_MIME in output.get("data", {})
    ]
    watched = KIT_FUNCTIONS.get(test.metadata["nbgrader"]["grade_id"], ())
    reports = [record for record in records if isinstance(record, dict) and record.get("check") == WATCH_CHECK]
    if delegation := _delegation(reports):
        return delegation
    errors = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    if errors:
        return error_line(errors[0])
    if cell.get("execution_count") is None:
        return "the test cell did not run"
    if watched and (problem := _watch_problem(reports, watched)):
        return problem
    for record in records:
        failure = _recheck(record)
        if failure:
            return f"AssertionError: {failure} (checked by the grader)"
    needed = top_level_checks(test.source)
    if len(records) < needed:
        return (
            f"the tests' checks did not all run ({len(records)} of {needed} reported): "
            "was autograde.checks replaced or silenced?"
        )
    for what, want in literal_expectations(test.source):
        if not any(_matches(record, what, want) for record in records):
            return f"{what}: the check against the expected value did not run as written"
    return None


def _delegation(reports: list[dict]) -> str | None:
    """The first student code that the kit watch saw calling (or being) a kit function it watched."""
    for report in reports:
        delegated = report.get("delegated") or []
        if not isinstance(delegated, list):
            return "a record of the grader's watch of the course kit that the grader cannot read"
        for found in delegated:
            try:
                function, kind, by = str(found["function"]), found["kind"], str(found["by"])
            except (KeyError, TypeError):
                return "a record of the grader's watch of the course kit that the grader cannot read"
            if kind == "is":
                return (
                    f"your {by} is the course's reference implementation {function}; the exercise asks you to write it"
                )
            where = f"your function {by}" if kind == "calls" else by
            return f"{where} calls the course's reference implementation {function}; the exercise asks you to write it"
    return None


def _watch_problem(reports: list[dict], watched: tuple[str, ...]) -> str | None:
    """Why the kit watch's record does not show that the watch ran to the end, over `watched`."""
    if len(reports) != 1 or reports[0].get("watched") != list(watched):
        return (
            "the grader's watch of the course's reference implementation did not report "
            f"({len(reports)} records of it): was autograde.kit_watch replaced or silenced?"
        )
    if reports[0].get("intact") is not True:
        return "the grader's watch of the course's reference implementation was switched off (sys.settrace)"
    return None


def literal_expectations(code: str) -> list[tuple[str, list[float]]]:
    """(what, expected values) of each top-level `assert_close(actual, <numbers>, ..., what="...")`
    whose expected value is written as a number or a list of numbers."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found = []
    for statement in tree.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if (
            not isinstance(call, ast.Call)
            or getattr(call.func, "id", getattr(call.func, "attr", None)) != "assert_close"
        ):
            continue
        keywords = {keyword.arg: keyword.value for keyword in call.keywords}
        expected = call.args[1] if len(call.args) > 1 else keywords.get("expected")
        what = call.args[4] if len(call.args) > 4 else keywords.get("what", ast.Constant("result"))
        try:
            value = ast.literal_eval(expected) if expected is not None else None
            label = ast.literal_eval(what)
        except ValueError:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        if isinstance(label, str) and values and all(type(v) in (int, float) for v in values):
            found.append((label, [float(v) for v in values]))
    return found


def _matches(record, what: str, want: list[float]) -> bool:
    try:
        recorded = [float(value) for value in record["want"]]
    except (KeyError, TypeError, ValueError):
        return False
    return (
        record.get("check") == "close"
        and record.get("what") == what
        and len(recorded) == len(want)
        and all(abs(r - w) <= 1e-12 * max(1.0, abs(w)) for r, w in zip(recorded, want))
    )


def top_level_checks(code: str) -> int:
    """How many checks the cell calls for sure: calls of a check as a statement of its own, outside
    any loop, condition or function (a lower bound of the records an honest run leaves)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # e.g. IPython magics: no lower bound
        return 0
    count = 0
    for statement in tree.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            function = statement.value.func
            name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)
            count += name in CHECKS
    return count


def _recheck(record) -> str | None:
    """The comparison of one record, redone on plain numbers; a message when it fails."""
    try:
        kind, what = record["check"], str(record.get("what", "result"))
        if kind == "close":
            got = [float(value) for value in record["got"]]
            want = [float(value) for value in record["want"]]
            atol, rtol = float(record["atol"]), float(record["rtol"])
            if len(got) != len(want) or not want and got:
                return f"{what}: expected {len(want)} values, got {len(got)}"
            for g, w in zip(got, want):
                if not (math.isfinite(w) and abs(g - w) <= atol + rtol * abs(w)):
                    expected_text, got_text = distinct_digits(w, g)
                    return f"{what}: expected {expected_text}, got {got_text}"
            return None
        if kind == "close_summary" or kind == "true":
            return None if record["passed"] is True else what
        if kind == "shape":
            return (
                None if [int(n) for n in record["got"]] == [int(n) for n in record["want"]] else f"{what}: wrong shape"
            )
        if kind == WATCH_CHECK:  # (decided by _delegation and _watch_problem)
            return None
        if kind == "sympy_zero":
            return None if record["simplified"] == "0" else f"{what}: does not simplify to 0"
    except (KeyError, TypeError, ValueError):
        pass
    return "a check record the grader cannot read"
