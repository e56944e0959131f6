"""The hidden tests grade what the exercises ask: plausible wrong answers lose their points, right
answers written differently keep them.

The cases live in one file per lesson, tests/hidden_cases/<lesson id>.py (every lesson of solutions/ must
have one, with a wrong answer for each of its exercises and a right one written differently). A case file
holds:

    from hidden_answers import right, wrong

    FULLY_GRADED = "name"  # one of its wrong answers, graded through the whole grading path
    WRONG_ANSWERS = {"name": wrong(answer cell's grade_id, [(solution text, replacement), ...], message), ...}
    RIGHT_ANSWERS = {"name": right(answer cell's grade_id, [(solution text, replacement), ...]), ...}
    WITHOUT_RIGHT_ANSWERS = "why"  # optional: the lesson needs no right answers written differently

Each solution text must occur in the solution's answer cell; `test=` names the test cell when it is not
"<cell>_tests", `more=[(cell, text, replacement), ...]` edits other cells too, `slow=True` marks an
answer whose graded cells take more than ~20 s (the complete suite runs it, `make test` does not). A wrong
answer is the lesson's solution with one instruction of an exercise not followed: the test cell of that
exercise must fail with an error containing `message` (which names what is wrong), and every other
exercise must keep its points. (That every solution gets full marks is tests/test_lessons.py's.) Names are
unique across the files: each is a test id (`pytest tests/test_hidden_tests.py -k NAME`).

Grading runs a lesson's cells up to its last graded one (autograde/execute.py) and scores each test
cell by its errors and check records. Most cases here run exactly those cells, with the same hidden
test code, and read each test cell's error: the test cells are what a grade is made of, without the
course folder, nbgrader and the sandbox around them. All of a lesson's cases run in ONE kernel (one
start-up and one import of torch instead of one per case): its notebooks run one after another, each
after a reset of the kernel's namespace (`%reset -f`) in a folder of its own, from the lesson's first
cell (which seeds the random generators again). So a case must not change what a reset keeps: a
library's attributes or torch's global settings. Wrong answers of different exercises share a notebook,
since each test cell is read on its own. One wrong answer per lesson goes through the whole grading path
(`check_notebook`), together with a right answer of each of the lesson's other exercises. Lesson 5's
cases train its script twice each (tens of seconds): they are the slow ones.
"""

import importlib.util
import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader import utils

from autograde.lessons import find_lessons
from autograde.selfcheck import check_notebook

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "solutions"
CASE_FOLDER = ROOT / "tests" / "hidden_cases"
LESSONS = [lesson.id for lesson in find_lessons(SOURCE)]


def read_case_file(path: Path):
    spec = importlib.util.spec_from_file_location(f"hidden_cases_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASE_FILES = {path.stem: read_case_file(path) for path in sorted(CASE_FOLDER.glob("*.py"))}
CASE_NAMES = [name for module in CASE_FILES.values() for name in [*module.WRONG_ANSWERS, *module.RIGHT_ANSWERS]]
WRONG_ANSWERS = {
    name: replace(answer, lesson=lesson)
    for lesson, module in CASE_FILES.items()
    for name, answer in module.WRONG_ANSWERS.items()
}
RIGHT_ANSWERS = {
    name: replace(answer, lesson=lesson)
    for lesson, module in CASE_FILES.items()
    for name, answer in module.RIGHT_ANSWERS.items()
}
ANSWERS = {**WRONG_ANSWERS, **RIGHT_ANSWERS}
# The case of each lesson that goes through the whole grading path, with the lesson's right answers.
FULLY_GRADED = {lesson: module.FULLY_GRADED for lesson, module in CASE_FILES.items()}


def read_lesson(lesson: str) -> nbformat.NotebookNode:
    return nbformat.read(SOURCE / lesson / f"{lesson}.ipynb", as_version=4)


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def apply(notebook: nbformat.NotebookNode, name: str) -> None:
    for cell_id, solution_text, replacement in ANSWERS[name].edits:
        cell = next(cell for cell in notebook.cells if grade_id(cell) == cell_id)
        assert solution_text in cell.source, f"{cell_id} no longer holds {solution_text!r}: update {name}"
        cell.source = cell.source.replace(solution_text, replacement)


@cache
def affected_tests(name: str) -> frozenset[str]:
    """The test cells an answer can change: its own, and those of exercises whose answers call its functions
    (lesson 3's `reward_difference` calls `reward_from_policy`)."""
    answer = ANSWERS[name]
    cells = read_lesson(answer.lesson).cells
    edited = [cell for cell in cells if grade_id(cell) in answer.cells]
    defined = {
        line[4:].split("(")[0] for cell in edited for line in cell.source.splitlines() if line.startswith("def ")
    }
    tests, answer_cell = {answer.test}, None
    for cell in cells:
        if utils.is_solution(cell):
            answer_cell = cell
        elif utils.is_grade(cell) and answer_cell is not None and grade_id(answer_cell) not in answer.cells:
            if any(f"{function}(" in answer_cell.source for function in defined):
                tests.add(grade_id(cell))
    return frozenset(tests)


@cache
def edited_spans(name: str) -> frozenset[tuple[str, int, int]]:
    """(cell, start, end) of each solution text that an answer replaces, in the solution's cell."""
    answer = ANSWERS[name]
    sources = {grade_id(cell): cell.source for cell in read_lesson(answer.lesson).cells}
    return frozenset(
        (cell, sources[cell].index(text), sources[cell].index(text) + len(text)) for cell, text, _ in answer.edits
    )


def exercise(name: str) -> str:
    """The exercise an answer belongs to: its test cell's grade_id without the part (`<exercise>_tests_<part>`)."""
    return ANSWERS[name].test.split("_tests")[0]


def compatible(name: str, other: str) -> bool:
    """Two answers can share a notebook: they replace separate texts (lesson 6's k1 and k3 are two functions
    of one answer cell, each with its own test cell), touch different test cells, and belong to different
    exercises (two answers to one exercise, graded by two of its parts, would change each other's result)."""
    if exercise(name) == exercise(other):
        return False
    overlap = any(
        cell == other_cell and start < other_end and other_start < end
        for cell, start, end in edited_spans(name)
        for other_cell, other_start, other_end in edited_spans(other)
    )
    return not overlap and not affected_tests(name) & affected_tests(other)


def notebook_groups(names: list[str]) -> list[tuple[str, ...]]:
    """Answers of one lesson in as few notebooks as possible, each notebook's answers compatible."""
    groups: list[list[str]] = []
    for name in sorted(names, key=lambda n: (ANSWERS[n].lesson, n)):
        answer = ANSWERS[name]
        for group in groups:
            if ANSWERS[group[0]].lesson == answer.lesson and all(compatible(name, other) for other in group):
                group.append(name)
                break
        else:
            groups.append([name])
    return [tuple(group) for group in groups]


def graded_part(notebook: nbformat.NotebookNode) -> list:
    """The cells that grading runs: up to the last graded or answer cell."""
    marked = [i for i, cell in enumerate(notebook.cells) if utils.is_grade(cell) or utils.is_solution(cell)]
    return notebook.cells[: marked[-1] + 1]


def errors_of_test_cells(cells: list) -> dict[str, str | None]:
    """Each test cell's first error ("Name: value") or None."""
    errors = {}
    for cell in cells:
        if utils.is_grade(cell) and not utils.is_solution(cell):
            first = next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)
            errors[grade_id(cell)] = f"{first.ename}: {first.evalue}" if first else None
    return errors


def run_in_one_kernel(notebooks: list[nbformat.NotebookNode], folder: Path) -> list[dict[str, str | None]]:
    """The test cells' errors of each notebook's graded part, run one after another in one kernel: each from
    an emptied namespace, in a folder of its own under `folder` (a notebook's files, such as lesson 5's
    %%writefile script, are not the next one's)."""
    cells, spans = [], []
    for index, notebook in enumerate(notebooks):
        workdir = folder / str(index)
        workdir.mkdir()
        fresh_start = f"get_ipython().run_line_magic('reset', '-f')\n__import__('os').chdir({str(workdir)!r})"
        cells.append(nbformat.v4.new_code_cell(fresh_start))
        spans.append((len(cells), len(cells) + len(graded_part(notebook))))
        cells += graded_part(notebook)
    combined = nbformat.v4.new_notebook(cells=cells, metadata=notebooks[0].metadata)
    NotebookClient(combined, timeout=900, allow_errors=True, resources={"metadata": {"path": str(folder)}}).execute()
    return [errors_of_test_cells(combined.cells[start:end]) for start, end in spans]


def fails_with(error: str | None, message: str) -> bool:
    return error is not None and message in error


KERNEL_CASES = [name for name in ANSWERS if name not in FULLY_GRADED.values()]


@cache
def batch_errors(lesson: str, slow: bool) -> dict[tuple[str, ...], dict[str, str | None] | str]:
    """The test cells' errors of each notebook of a lesson's fast (slow) cases, from one kernel; a string
    saying why for every notebook when the kernel died or timed out (once, not again for each case)."""
    groups = notebook_groups([n for n in KERNEL_CASES if (ANSWERS[n].lesson, ANSWERS[n].slow) == (lesson, slow)])
    notebooks = []
    for group in groups:
        notebooks.append(read_lesson(lesson))
        for name in group:
            apply(notebooks[-1], name)
    with tempfile.TemporaryDirectory(prefix=f"hidden-{lesson}-") as folder:
        try:
            return dict(zip(groups, run_in_one_kernel(notebooks, Path(folder))))
        except Exception as error:  # (a dead kernel, a cell over its time limit)
            return dict.fromkeys(groups, f"the kernel of {lesson}'s cases failed: {type(error).__name__}: {error}")


def case_param(name: str):
    """Each case its own test; a lesson's fast (slow) cases on one xdist worker, which runs their kernel once."""
    answer = ANSWERS[name]
    group = f"hidden_{answer.lesson}" + ("_slow" if answer.slow else "")
    return pytest.param(name, id=name, marks=[pytest.mark.xdist_group(group)] + [pytest.mark.slow] * answer.slow)


@pytest.mark.parametrize("name", [case_param(name) for name in KERNEL_CASES])
def test_each_answer_gets_what_it_deserves(name):
    """A wrong answer fails its test cell with its message, a right one passes; the exercises that no answer
    of its notebook changed keep their points."""
    answer = ANSWERS[name]
    group, errors = next(item for item in batch_errors(answer.lesson, answer.slow).items() if name in item[0])
    assert not isinstance(errors, str), errors
    error = errors[answer.test]
    if answer.message is None:
        assert error is None, f"{name}: a right answer lost {answer.test}: {error}"
    else:
        assert fails_with(error, answer.message), (
            f"{name}: {answer.test} should fail with {answer.message!r}, got {error!r}"
        )
    may_fail = set().union(*(affected_tests(other) for other in group))
    untouched = {test: error for test, error in errors.items() if test not in may_fail and error is not None}
    assert not untouched, f"exercises that no answer of {'+'.join(group)} changed lost their points: {untouched}"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", sorted(FULLY_GRADED))
def test_grading_takes_the_points_of_the_wrong_answer_only(lesson, tmp_path):
    """The whole grading path: the lesson's wrong case loses its exercise's points with its message, the
    lesson's right answers written differently keep theirs."""
    wrong_name = FULLY_GRADED[lesson]
    names = [wrong_name]
    for name in sorted(RIGHT_ANSWERS):  # one right answer per exercise that the wrong one leaves alone
        answer = RIGHT_ANSWERS[name]
        if answer.lesson == lesson and all(compatible(name, other) for other in names):
            names.append(name)
    notebook = read_lesson(lesson)
    for name in names:
        apply(notebook, name)
    nbformat.write(notebook, tmp_path / f"{lesson}.ipynb")
    result = check_notebook(tmp_path / f"{lesson}.ipynb", SOURCE)
    assert result.failure is None, result.failure
    exercises = {exercise.id: exercise for exercise in result.exercises}
    wrong_answer = ANSWERS[wrong_name]
    target = exercises[wrong_answer.test]
    assert target.points == 0 and fails_with(target.message, wrong_answer.message), target
    may_fail = affected_tests(wrong_name)
    assert all(e.points == e.max_points for e in result.exercises if e.id not in may_fail), result.exercises


def test_every_lesson_has_a_case_file():
    assert sorted(CASE_FILES) == LESSONS, f"tests/hidden_cases/ should hold one <lesson id>.py per lesson of {SOURCE}"


def test_case_names_are_unique():
    assert len(CASE_NAMES) == len(ANSWERS), sorted({n for n in CASE_NAMES if CASE_NAMES.count(n) > 1})


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_exercise_has_its_cases(lesson):
    """A wrong answer for every exercise of every lesson found; a right one written differently too, unless
    the case file says why not (lesson 5: each run of its script's test cell trains; the solution itself is
    tests/test_lessons.py's)."""
    exercises = {grade_id(c) for c in read_lesson(lesson).cells if utils.is_grade(c) and not utils.is_solution(c)}
    assert exercises <= {a.test for a in WRONG_ANSWERS.values() if a.lesson == lesson}
    assert hasattr(CASE_FILES[lesson], "WITHOUT_RIGHT_ANSWERS") or exercises <= {
        a.test for a in RIGHT_ANSWERS.values() if a.lesson == lesson
    }


def test_every_fully_graded_case_is_a_wrong_answer_of_its_lesson():
    for lesson, name in FULLY_GRADED.items():
        assert name in WRONG_ANSWERS and WRONG_ANSWERS[name].lesson == lesson, (lesson, name)
