"""The lessons: course/ is generated from solutions/, grading is exact, and the kit is the reference."""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import nbformat
import pytest

import rlhf_lab
from autograde.course import generate
from autograde.editions import LANGUAGES
from autograde.lessons import find_lessons
from autograde.limits import Limits
from autograde.paths import lesson_notebook
from autograde.sample_class import build_sample_class
from autograde.selfcheck import check_notebook
from rlhf_lab.presets import TEXTBOOK

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "solutions"
SOLUTIONS = sorted(SOURCE.glob("*/*.ipynb"))
COURSE = ROOT / "course"
# The student versions, one folder per edition (autograde/editions.py); their code is the same by
# construction (tests/test_editions.py), so each check below runs in the edition that tests the most:
# the untouched notebooks are graded in English (edition detection and English feedback on the way).
RELEASED = {language: [COURSE / language / nb.parent.name / nb.name for nb in SOLUTIONS] for language in LANGUAGES}


def failures(result) -> str:
    return "; ".join(f"{e.id}: {e.message}" for e in result.exercises if e.message) or str(result.failure)


def test_course_is_generated_from_solutions(tmp_path):
    generate(SOURCE, tmp_path, find_lessons(SOURCE))
    assert sorted(p.name for p in COURSE.iterdir()) == sorted(LANGUAGES)
    for language, released_notebooks in RELEASED.items():
        assert sorted(p.name for p in (COURSE / language).iterdir()) == sorted(nb.parent.name for nb in SOLUTIONS)
        for released in released_notebooks:
            fresh = tmp_path / language / released.parent.name / released.name
            assert fresh.read_bytes() == released.read_bytes(), f"{released} is out of date: run `make course`"


# Each solution's two gradings below share an xdist group, the whole-lesson one first (`--dist loadgroup`,
# slow tests first: tests/conftest.py), so that in a complete run the graded-cells check reads the
# whole-lesson grading instead of running the lesson again (the cells after the last graded one cannot
# change a score): one execution of each lesson instead of two.
PER_LESSON = [pytest.param(nb, id=nb.stem, marks=pytest.mark.xdist_group(f"solution_{nb.stem}")) for nb in SOLUTIONS]
WHOLE_LESSON_GRADINGS = {}  # notebook -> its passing grading with every cell run, in this process


def full_marks(result) -> bool:
    return result.failure is None and result.max_score > 0 and result.score == result.max_score


@pytest.mark.slow
@pytest.mark.parametrize("notebook", PER_LESSON)
def test_solution_executes_and_gets_full_marks(notebook):
    """Graded with every cell run, the closing demonstrations too: the lesson runs top to bottom."""
    result = check_notebook(notebook, SOURCE, Limits(run_ungraded_tail=True))
    assert full_marks(result), failures(result)
    WHOLE_LESSON_GRADINGS[notebook] = result


@pytest.mark.parametrize("notebook", PER_LESSON)
def test_solution_gets_full_marks(notebook):
    """Graded as a submission is: the cells up to the last graded one (the fast suite's check)."""
    result = WHOLE_LESSON_GRADINGS.get(notebook) or check_notebook(notebook, SOURCE)
    assert full_marks(result), failures(result)


@pytest.mark.parametrize("notebook", RELEASED["en"], ids=lambda p: p.stem)
def test_untouched_student_notebook_gets_zero_without_crashing(notebook):
    result = check_notebook(notebook, SOURCE)
    assert result.edition == "en"
    assert result.failure is None, result.failure
    assert result.max_score > 0 and result.score == 0
    assert all(e.message for e in result.exercises), "every exercise fails with a message"


def test_exactly_k_solved_exercises_get_exactly_their_points(tmp_path):
    lesson = "04_dpo_loss"
    partial = [
        s for s in build_sample_class(SOURCE, tmp_path) if s.lesson == lesson and s.student.startswith("partial")
    ]
    chosen = partial[len(partial) // 2]
    result = check_notebook(lesson_notebook(tmp_path / chosen.student, lesson), SOURCE)
    assert 0 < result.score == chosen.expected_score < result.max_score, failures(result)


def kit_functions() -> dict[str, ast.FunctionDef]:
    """Every top-level function of the kit's library modules, by name (names are unique across them).

    The command line (`cli`, `__main__`) is left out: its `main` is not lesson material, and lesson 5's
    script has a `main` of its own.
    """
    functions = {}
    for module in pkgutil.iter_modules(rlhf_lab.__path__):
        if module.name in ("__main__", "cli"):
            continue
        source = Path(importlib.import_module(f"rlhf_lab.{module.name}").__file__).read_text()
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef):
                assert node.name not in functions, f"{node.name} is defined twice in the kit"
                functions[node.name] = node
    return functions


def solution_functions(notebook: Path) -> list[ast.FunctionDef]:
    """Top-level functions defined in a notebook's solution cells, markers and cell magics removed.

    A `%%writefile` cell is Python written to a file (lesson 5's script): its functions count too.
    """
    functions = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        source = "\n".join(
            line
            for line in cell.source.splitlines()
            if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION") and not line.startswith("%%")
        )
        functions += [node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
    return functions


# Solution functions tied to the kit by what they return rather than by their text: lesson 5's exercise asks
# students to write the textbook's values out, which the kit keeps in one place (rlhf_lab.presets.TEXTBOOK).
SAME_RESULT_AS_THE_KITS = {"textbook_config"}


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_functions_are_the_kits(notebook):
    kit = kit_functions()
    shared = [f for f in solution_functions(notebook) if f.name in kit]
    assert shared, f"{notebook.stem}: no solution function is the kit's, so nothing ties the lesson to the kit"
    for function in shared:
        if function.name in SAME_RESULT_AS_THE_KITS:
            continue
        assert ast.dump(function) == ast.dump(kit[function.name]), (
            f"{notebook.stem}: {function.name} differs from the kit's; write it identically in both"
        )


def test_lesson5_states_the_kits_textbook_settings():
    """The settings table of lesson 5 shows the values the kit trains with (rlhf_lab.presets.TEXTBOOK)."""
    notebook = lesson_notebook(SOURCE, "05_dpo_training")
    cell = next(
        c
        for c in nbformat.read(notebook, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "config_md"
    )
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", cell.source, flags=re.MULTILINE))
    assert len(rows) == 6, rows
    for name, shown in rows.items():
        assert float(shown) == TEXTBOOK[name], f"lesson 5's table says {name} = {shown}, the kit {TEXTBOOK[name]}"


def test_lesson5_textbook_config_gives_the_kits_settings(tmp_path):
    """Lesson 5's textbook_config writes the textbook's values out; they are the kit's (TEXTBOOK, RUN_SETTINGS)."""
    from rlhf_lab.training import textbook_config as kit_textbook_config

    script = next(
        f for f in solution_functions(lesson_notebook(SOURCE, "05_dpo_training")) if f.name == "textbook_config"
    )
    namespace = {}
    exec("import torch\nfrom trl import DPOConfig\n" + ast.unparse(script), namespace)
    for overrides in ({}, {"learning_rate": 3e-4, "max_steps": 7}):
        ours = namespace["textbook_config"](tmp_path, **overrides).to_dict()
        kits = kit_textbook_config(tmp_path, **overrides).to_dict()
        assert ours == kits, {name: (ours[name], kits.get(name)) for name in ours if ours[name] != kits.get(name)}


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda p: p.stem)
def test_hidden_tests_reimport_the_checks_they_use(notebook):
    """An answer cell can rebind `assert_close` to a no-op; hidden tests import it afresh first."""
    for cell in nbformat.read(notebook, as_version=4).cells:
        if "### BEGIN HIDDEN TESTS" not in cell.source:
            continue
        hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1].lstrip("\n")
        used = {
            name for name in ("assert_close", "assert_shape", "assert_true", "assert_sympy_zero") if name in cell.source
        }
        first_line = hidden.splitlines()[0] if hidden else ""
        assert not used or (
            first_line.startswith("from autograde.checks import")
            and used <= {n.strip() for n in first_line.split("import", 1)[1].split(",")}
        ), f"{notebook.stem}: a hidden region must start with `from autograde.checks import {', '.join(sorted(used))}`"
