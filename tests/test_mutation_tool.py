"""tools/mutation_test.py makes the changes it promises: each mutant compiles and differs in one place."""

import ast
import importlib.util
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
