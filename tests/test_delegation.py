"""The grader's watch of the course kit (autograde/kit_watch.py, autograde/kit_exercises.py) and the
verdict it leads to (autograde/verdict.py), on small inputs in this process. The same answers graded
through the whole pipeline, for every exercise of every lesson, are in tests/test_adversarial.py."""

import threading
from pathlib import Path

import nbformat
import pytest
from nbgrader import utils

from autograde.checks import RECORD_MIME
from autograde.kit_exercises import KIT_FUNCTIONS
from autograde.kit_watch import WATCH_CHECK, Watch, kit_function
from autograde.verdict import judge

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
LOO = "rlhf_lab.policy_gradient.leave_one_out_advantages"


def graded_ids(notebook) -> list[str]:
    return [
        cell.metadata["nbgrader"]["grade_id"]
        for cell in notebook.cells
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)
    ]


def test_every_graded_cell_of_every_lesson_has_a_decision():
    """A new exercise cannot slip through unwatched: each graded test cell is in the mapping (an empty
    tuple would be a decision too), and the mapping names no test cell that no lesson has."""
    ids = [grade_id for path in LESSONS for grade_id in graded_ids(nbformat.read(path, as_version=4))]
    assert len(ids) == len(set(ids)) == 32
    assert sorted(ids) == sorted(KIT_FUNCTIONS)


@pytest.mark.parametrize("path", LESSONS, ids=[path.parent.name for path in LESSONS])
def test_each_watched_function_is_a_kit_function_that_the_lesson_asks_for(path):
    """Each listed function exists in the kit, under the name an answer cell of its lesson defines
    (lesson 5's train_dpo is the kit's counterpart of the script's main)."""
    notebook = nbformat.read(path, as_version=4)
    answers = "\n".join(cell.source for cell in notebook.cells if utils.is_solution(cell))
    counterpart = {"train_dpo": "main"}
    for grade_id in graded_ids(notebook):
        for dotted in KIT_FUNCTIONS[grade_id]:
            assert dotted.startswith("rlhf_lab.") and callable(kit_function(dotted)), dotted
            name = dotted.rpartition(".")[2]
            assert f"def {counterpart.get(name, name)}(" in answers, (grade_id, dotted)
    # The watch is the test cell's first line when it runs: a cell magic (%%) must stay first.
    assert not [cell for cell in notebook.cells if utils.is_grade(cell) and cell.source.lstrip().startswith("%%")]


def watched_run(tmp_path, answer: str, test: str, functions=(LOO,)) -> dict:
    """`answer` run as an answer cell, then `test` as the watched test cell; the watch's record."""
    namespace: dict = {}
    exec(compile(answer, str(tmp_path / "answer_cell.py"), "exec"), namespace)
    watch = Watch(list(functions), str(tmp_path / "test_cell.py"))
    watch.start()
    try:
        exec(compile(test, str(tmp_path / "test_cell.py"), "exec"), namespace)
    finally:
        record = watch.stop()
    return record


TEST = "import torch\nresult = leave_one_out_advantages(torch.tensor([1.0, 2.0, 6.0, 10.0]), 2)\n"
OWN = (
    "def leave_one_out_advantages(rewards, k):\n"
    "    grouped = rewards.reshape(-1, k)\n"
    "    return (grouped - (grouped.sum(dim=1, keepdim=True) - grouped) / (k - 1)).reshape(-1)\n"
)
DELEGATING = {
    "imported": ("from rlhf_lab.policy_gradient import leave_one_out_advantages", "is"),
    "module": (
        "import rlhf_lab.policy_gradient as pg\n"
        "def leave_one_out_advantages(rewards, k):\n"
        "    return pg.leave_one_out_advantages(rewards, k)",
        "calls",
    ),
    "partial": (
        "import functools\nfrom rlhf_lab import policy_gradient\n"
        "leave_one_out_advantages = functools.partial(policy_gradient.leave_one_out_advantages)",
        "is",
    ),
    "lru_cache": (
        "import functools\nfrom rlhf_lab import policy_gradient\n"
        "leave_one_out_advantages = functools.lru_cache(policy_gradient.leave_one_out_advantages)",
        "is",
    ),
    "callable_object": (
        "from rlhf_lab import policy_gradient\n"
        "class Advantages:\n    __call__ = staticmethod(policy_gradient.leave_one_out_advantages)\n"
        "leave_one_out_advantages = Advantages()",
        "is",
    ),
    "bound_early": (
        "from rlhf_lab.policy_gradient import leave_one_out_advantages as kit\nearly = kit\n"
        "def leave_one_out_advantages(rewards, k):\n    return early(rewards, k)",
        "calls",
    ),
    "lambda": (
        "from rlhf_lab.policy_gradient import leave_one_out_advantages as kit\n"
        "leave_one_out_advantages = lambda rewards, k: kit(rewards, k)",
        "calls",
    ),
    "exec_of_a_string": (
        "exec('from rlhf_lab.policy_gradient import leave_one_out_advantages as kit\\n"
        "def leave_one_out_advantages(r, k):\\n    return kit(r, k)')",
        "calls",
    ),
    "function_copied": (
        "import types\nfrom rlhf_lab.policy_gradient import leave_one_out_advantages as kit\n"
        "leave_one_out_advantages = types.FunctionType(kit.__code__, kit.__globals__)",
        "is",
    ),
    "thread": (
        "import threading\nfrom rlhf_lab.policy_gradient import leave_one_out_advantages as kit\n"
        "def leave_one_out_advantages(rewards, k):\n"
        "    out = []\n"
        "    worker = threading.Thread(target=lambda: out.append(kit(rewards, k)))\n"
        "    worker.start()\n    worker.join()\n    return out[0]",
        "calls",  # (the thread's own lambda, defined here, is the student's code)
    ),
}


@pytest.mark.parametrize("way", list(DELEGATING))
def test_the_watch_sees_every_way_of_reaching_the_kit_function(tmp_path, way):
    answer, kind = DELEGATING[way]
    record = watched_run(tmp_path, answer, TEST)
    assert record["watched"] == [LOO] and record["intact"] is True
    assert [(found["function"], found["kind"]) for found in record["delegated"]] == [(LOO, kind)]


def test_the_test_s_own_reference_calls_and_an_own_answer_are_not_delegation(tmp_path):
    test = TEST + (
        "from rlhf_lab.policy_gradient import leave_one_out_advantages as kit_leave_one_out_advantages\n"
        "reference = kit_leave_one_out_advantages(torch.tensor([1.0, 2.0, 6.0, 10.0]), 2)\n"
        "assert torch.equal(result, reference)\n"
    )
    assert watched_run(tmp_path, OWN, test) == {"watched": [LOO], "delegated": [], "intact": True}


def test_a_kit_function_reached_through_another_kit_function_is_caught(tmp_path):
    """optimal_policy runs stationary_probability: an answer built on it hands the exercise to the kit."""
    answer = (
        "from rlhf_lab import dpo_derivation\n"
        "def stationary_probability(q_i, r_i, beta, lam):\n"
        "    return dpo_derivation.optimal_policy([q_i], [r_i], beta)[0]\n"
    )
    test = "import sympy\nstationary_probability(sympy.Symbol('q'), sympy.Symbol('r'), sympy.Symbol('b'), 0)\n"
    function = "rlhf_lab.dpo_derivation.stationary_probability"
    record = watched_run(tmp_path, answer, test, functions=(function,))
    assert record["delegated"] == [{"kind": "calls", "by": "stationary_probability", "function": function}]


def test_a_student_s_module_that_the_test_loads_is_looked_into(tmp_path):
    """As lesson 5's test loads train_dpo.py: the module's function is the kit's."""
    (tmp_path / "script.py").write_text("from rlhf_lab.policy_gradient import leave_one_out_advantages\n")
    answer = (
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('script', {str(tmp_path / 'script.py')!r})\n"
        "script = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(script)\n"
    )
    test = "import torch\nscript.leave_one_out_advantages(torch.tensor([1.0, 2.0]), 2)\n"
    record = watched_run(tmp_path, answer, test)
    assert record["delegated"] == [{"kind": "is", "by": "leave_one_out_advantages", "function": LOO}]


def test_a_kit_function_started_outside_the_test_s_calls_is_reported(tmp_path):
    """A thread whose target is the kit function itself: no code of the student's or the test's on its stack."""
    answer = (
        "import threading\nfrom rlhf_lab.policy_gradient import leave_one_out_advantages as kit\n"
        "def leave_one_out_advantages(rewards, k):\n"
        "    worker = threading.Thread(target=kit, args=(rewards, k))\n"
        "    worker.start()\n    worker.join()\n    return rewards\n"
    )
    record = watched_run(tmp_path, answer, TEST)
    assert [found["kind"] for found in record["delegated"]] == ["outside"]


def test_a_watch_switched_off_by_the_answer_says_so(tmp_path):
    answer = OWN.replace(
        "def leave_one_out_advantages(rewards, k):\n",
        "def leave_one_out_advantages(rewards, k):\n    __import__('sys').settrace(None)\n",
    )
    assert watched_run(tmp_path, answer, TEST)["intact"] is False
    assert threading.gettrace() is None and __import__("sys").gettrace() is None


# --- the verdict --------------------------------------------------------------------------------


def one_test_notebooks(grade_id: str, outputs: list) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """A source with one 2-point test cell `grade_id` that calls no check, and its executed copy with `outputs`."""
    metadata = {"nbgrader": {"grade": True, "grade_id": grade_id, "points": 2, "locked": True, "solution": False}}
    source = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", metadata=metadata)])
    executed = nbformat.from_dict(source)
    executed.cells[0].execution_count = 1
    executed.cells[0].outputs = outputs
    return source, executed


def watch_record(**fields) -> nbformat.NotebookNode:
    record = {"check": WATCH_CHECK, "what": "the course kit", "watched": [LOO], "delegated": [], "intact": True}
    return nbformat.v4.new_output("display_data", data={RECORD_MIME: {**record, **fields}})


@pytest.mark.parametrize(
    "outputs, points, message",
    [
        ([watch_record()], 2.0, None),
        ([], 0.0, "watch of the course's reference implementation did not report"),
        ([watch_record(), watch_record()], 0.0, "did not report (2 records of it)"),
        ([watch_record(watched=[])], 0.0, "did not report"),
        ([watch_record(intact=False)], 0.0, "was switched off (sys.settrace)"),
        (
            [watch_record(delegated=[{"function": LOO, "kind": "calls", "by": "leave_one_out_advantages"}])],
            0.0,
            f"your function leave_one_out_advantages calls the course's reference implementation {LOO}; "
            "the exercise asks you to write it",
        ),
        (
            [watch_record(delegated=[{"function": LOO, "kind": "is", "by": "leave_one_out_advantages"}])],
            0.0,
            f"your leave_one_out_advantages is the course's reference implementation {LOO}",
        ),
        # Delegation is the reason given even when a test failed too.
        (
            [
                watch_record(delegated=[{"function": LOO, "kind": "calls", "by": "f"}]),
                nbformat.v4.new_output("error", ename="AssertionError", evalue="wrong", traceback=[]),
            ],
            0.0,
            "your function f calls",
        ),
        ([watch_record(delegated=[{"function": LOO}])], 0.0, "cannot read"),
        ([watch_record(delegated=7)], 0.0, "cannot read"),
        ([watch_record(delegated=["x"])], 0.0, "cannot read"),
    ],
)
def test_the_verdict_of_a_watched_test_cell(outputs, points, message):
    source, executed = one_test_notebooks("leave_one_out_advantages_tests_values", outputs)
    [verdict] = judge(source, executed)
    assert verdict.points == points
    assert (verdict.message is None) if message is None else (message in verdict.message), verdict.message


def test_a_test_cell_with_nothing_to_watch_needs_no_record():
    source, executed = one_test_notebooks("some_other_tests", [])
    assert judge(source, executed)[0].points == 2.0


def test_the_grader_runs_a_watched_test_cell_with_the_watch_first_and_keeps_its_text():
    from autograde.execute import kit_watched

    metadata = {"nbgrader": {"grade": True, "grade_id": "leave_one_out_advantages_tests_values", "points": 3}}
    cell = nbformat.v4.new_code_cell("assert True", metadata=metadata)
    with kit_watched(cell):
        first, rest = cell.source.split("\n", 1)
        assert first.startswith("__import__('autograde.kit_watch').kit_watch.watch([") and LOO in first
        assert rest == "assert True"
    assert cell.source == "assert True"
    answer = nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"solution": True, "grade_id": "x"}})
    with kit_watched(answer):
        assert answer.source == "x = 1"


def test_a_failure_decided_outside_the_kernel_is_written_into_the_graded_notebook():
    """The feedback shows a test cell's errors only: the verdict's reason becomes one where the cell has none."""
    from autograde.verdict import VERDICT_ERROR, explain_failures

    delegated = watch_record(delegated=[{"function": LOO, "kind": "is", "by": "leave_one_out_advantages"}])
    source, executed = one_test_notebooks("leave_one_out_advantages_tests_values", [delegated])
    explain_failures(executed, judge(source, executed))
    errors = [output for output in executed.cells[0].outputs if output.output_type == "error"]
    assert [(error.ename, error.evalue) for error in errors] == [
        (
            VERDICT_ERROR,
            f"your leave_one_out_advantages is the course's reference implementation {LOO}; "
            "the exercise asks you to write it",
        )
    ]
    from autograde.feedback import HideHiddenTests

    shown, _ = HideHiddenTests().preprocess_cell(executed.cells[0], {}, 0)  # (what the feedback keeps)
    assert [output.traceback for output in shown.outputs] == [[f"{VERDICT_ERROR}: {errors[0].evalue}"]]
    failed = nbformat.v4.new_output("error", ename="AssertionError", evalue="wrong", traceback=[])
    source, executed = one_test_notebooks("leave_one_out_advantages_tests_values", [watch_record(), failed])
    explain_failures(executed, judge(source, executed))
    assert [output.ename for output in executed.cells[0].outputs if output.output_type == "error"] == ["AssertionError"]
