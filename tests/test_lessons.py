"""The lessons: course/ is generated from solutions/, grading is exact, and the kit is the reference."""

import ast
import importlib
import pkgutil
from pathlib import Path

import nbformat
import pytest

import rlhf_lab
from autograde.course import generate
from autograde.lessons import find_lessons
from autograde.sample_class import build_sample_class
from autograde.sandbox import Limits
from autograde.selfcheck import check_notebook

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "solutions"
SOLUTIONS = sorted(SOURCE.glob("*/*.ipynb"))
RELEASED = [ROOT / "course" / nb.parent.name / nb.name for nb in SOLUTIONS]


def failures(result) -> str:
    return "; ".join(f"{e.id}: {e.message}" for e in result.exercises if e.message) or str(result.failure)


def test_course_is_generated_from_solutions(tmp_path):
    generate(SOURCE, tmp_path, find_lessons(SOURCE))
    assert sorted(p.name for p in (ROOT / "course").iterdir()) == sorted(nb.parent.name for nb in SOLUTIONS)
    for released in RELEASED:
        fresh = tmp_path / released.parent.name / released.name
        assert fresh.read_bytes() == released.read_bytes(), f"{released} is out of date: run `make course`"


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_executes_and_gets_full_marks(notebook):
    """Graded with every cell run, the closing demonstrations too: the lesson runs top to bottom."""
    result = check_notebook(notebook, SOURCE, Limits(run_ungraded_tail=True))
    assert result.failure is None and result.max_score > 0 and result.score == result.max_score, failures(result)


@pytest.mark.parametrize("notebook", RELEASED, ids=lambda p: p.stem)
def test_untouched_student_notebook_gets_zero_without_crashing(notebook):
    result = check_notebook(notebook, SOURCE)
    assert result.failure is None, result.failure
    assert result.max_score > 0 and result.score == 0
    assert all(e.message for e in result.exercises), "every exercise fails with a message"


def test_exactly_k_solved_exercises_get_exactly_their_points(tmp_path):
    lesson = "04_dpo_loss"
    partial = [s for s in build_sample_class(SOURCE, tmp_path) if s.lesson == lesson and s.student.startswith("partial")]
    chosen = partial[len(partial) // 2]
    result = check_notebook(tmp_path / chosen.student / lesson / f"{lesson}.ipynb", SOURCE)
    assert 0 < result.score == chosen.expected_score < result.max_score, failures(result)


def kit_functions() -> dict[str, ast.FunctionDef]:
    """Every top-level function of every rlhf_lab module, by name (names are unique across the kit)."""
    functions = {}
    for module in pkgutil.iter_modules(rlhf_lab.__path__):
        if module.name == "__main__":
            continue
        source = Path(importlib.import_module(f"rlhf_lab.{module.name}").__file__).read_text()
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef):
                assert node.name not in functions, f"{node.name} is defined twice in the kit"
                functions[node.name] = node
    return functions


def solution_functions(notebook: Path) -> list[ast.FunctionDef]:
    """Top-level functions defined in a notebook's solution cells, markers removed.

    `%%writefile` cells are the student's own scripts, not copies of the kit, and are left out.
    """
    functions = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if (cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("solution")
                or cell.source.startswith("%%writefile")):
            continue
        source = "\n".join(line for line in cell.source.splitlines()
                           if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
        functions += [node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
    return functions


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_functions_are_the_kits(notebook):
    kit = kit_functions()
    shared = [f for f in solution_functions(notebook) if f.name in kit]
    for function in shared:
        assert ast.dump(function) == ast.dump(kit[function.name]), (
            f"{notebook.stem}: {function.name} differs from the kit's; write it identically in both")


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda p: p.stem)
def test_hidden_tests_reimport_the_checks_they_use(notebook):
    """An answer cell can rebind `assert_close` to a no-op; hidden tests import it afresh first."""
    for cell in nbformat.read(notebook, as_version=4).cells:
        if "### BEGIN HIDDEN TESTS" not in cell.source:
            continue
        hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1].lstrip("\n")
        used = {name for name in ("assert_close", "assert_shape", "assert_true", "assert_sympy_zero")
                if name in cell.source}
        first_line = hidden.splitlines()[0] if hidden else ""
        assert not used or (first_line.startswith("from autograde.checks import")
                            and used <= {n.strip() for n in first_line.split("import", 1)[1].split(",")}), (
            f"{notebook.stem}: a hidden region must start with `from autograde.checks import "
            f"{', '.join(sorted(used))}`")
