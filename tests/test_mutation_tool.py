"""tools/mutation_test.py makes the changes it promises: each mutant compiles and differs in one place."""

import ast
import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "mutation_test.py"
SOURCE = '''
def f(x, y=2):
    """A docstring, not mutated."""
    if x < 0 and not y:
        raise ValueError(f"bad {x}")
    return -x * y + 1.5 if x in (1,) else "s"
'''


def load_tool():
    spec = importlib.util.spec_from_file_location("mutation_test", SCRIPT)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_every_site_gives_a_compilable_mutant_that_differs():
    tool = load_tool()
    tree = ast.parse(SOURCE)
    changes = [change for _, change in tool.mutation_sites(tree)]
    assert changes == [
        "2 -> 3",
        "And -> Or",
        "compare[0] Lt -> LtE",
        "0 -> 1",
        "drop Not",
        "Add -> Sub",
        "Mult -> Div",
        "drop USub",
        "1.5 -> 2.5",
        "compare[0] In -> NotIn",
        "1 -> 2",
        "'s' -> 'XX' + it + 'XX'",
    ]
    original = ast.unparse(tree)
    for index in range(len(changes)):
        mutant = tool.apply(tree, index)
        compile(mutant, "mutant", "exec")
        assert mutant != original
    assert "raise ValueError(f'bad {x}')" in tool.apply(tree, 0)  # error messages are left alone


def test_a_grader_module_is_mutated_against_its_unit_tests_and_a_kit_module_against_its_importers(tmp_path):
    tool = load_tool()
    for name, text in {
        "test_verdict.py": "from autograde.verdict import judge",
        "test_autograde.py": "from autograde.verdict import judge  # (runs nbgrader)",
        "test_sampling.py": "from rlhf_lab.sampling import sample",
        "test_rlhf_trl.py": "from rlhf_lab import sampling",
        "test_other.py": "import rlhf_lab.samplings",
    }.items():
        (tmp_path / name).write_text(text)
    assert tool.tests_for("autograde.verdict", tmp_path) == [str(tmp_path / "test_verdict.py")]
    assert tool.tests_for("rlhf_lab.sampling", tmp_path) == [
        str(tmp_path / "test_sampling.py"),
        str(tmp_path / "test_rlhf_trl.py"),
    ]


def test_scores_are_recorded_before_and_after(tmp_path, monkeypatch):
    tool = load_tool()
    monkeypatch.setattr(tool, "SCORES", tmp_path / "scores.json")
    mutants = [
        {"line": 3, "change": "Add -> Sub", "outcome": "survived"},
        {"line": 4, "change": "1 -> 2", "outcome": "killed"},
    ]
    tool.record_scores({"m": {"tests": ["test_m.py"], "mutants": mutants, "killed": 1}}, "before")
    tool.record_scores({"m": {"tests": ["test_m.py"], "mutants": mutants[1:], "killed": 1}}, "after")
    scores = json.loads((tmp_path / "scores.json").read_text())["m"]
    assert (scores["before"]["score"], scores["before"]["survivors"]) == (0.5, ["3: Add -> Sub"])
    assert (scores["after"]["score"], scores["after"]["survivors"], scores["after"]["mutants"]) == (1.0, [], 1)
