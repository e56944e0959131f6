"""Hostile and broken submissions, graded as one class next to honest students.

Every case is a submission of the toy lesson (tests/fixtures/toy: exercises of 2, 1 and 3 points)
that tries to cheat, to break out, or is simply broken. One class grading (module-scoped fixture,
`grade_class` in this process) holds them all, because nbgrader takes seconds to start; each test
then asserts one case's exact score and reason, the honest students' unchanged scores and a bounded
time. The limits are small so that bombs end fast. docs/threat-model.md lists what is and is not
defended; the cases below are its evidence.

The complete suite grades every case, beside two CPU hogs: grades must not depend on how busy the
machine is (issue 12; the time limits count CPU time). `make test` grades the cases that take seconds
(the others wait for a time limit or fill memory; their tests are marked slow), without the hogs.

Isolation cases need a sandbox (bwrap or unshare); they are skipped, with the reason, only when
neither works here, and fail instead in CI (tests/required_in_ci.py), which must grade under
bubblewrap. Everything else runs under any mechanism.
"""

import contextlib
import csv
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from filelock import FileLock
from required_in_ci import skip_outside_ci

from autograde import control_group
from autograde.class_grading import grade_class
from autograde.limits import Limits
from autograde.paths import StudentNotebook, lesson_notebook
from autograde.sample_class import build_sample_class
from autograde.sandbox import choose_sandbox
from autograde.sandbox import why_not as why_sandbox_fails
from autograde.sandbox import works as sandbox_works

REPO = Path(__file__).resolve().parent.parent
TOY = REPO / "tests" / "fixtures" / "toy"
# The cell limit must let `import torch` (torch_patch) finish on 2 busy cores: measured 3.9 s alone,
# 7.1 s beside two busy processes; at 4 s it was cut off under load.
LIMITS = Limits(
    notebook_timeout=90,
    cell_timeout=15,
    interrupt_grace=2,
    memory_mb=1536,
    tree_memory_mb=2048,
    processes=64,
    output_kb=256,
    notebook_mb=2,
)
# A case's grading time: a cell that hangs is stopped after wall_factor x its limit (the limits count
# CPU time; a hung cell uses none), plus the grace and nbgrader's start and end on 2 busy cores.
CASE_SECONDS = LIMITS.wall_factor * LIMITS.cell_timeout + LIMITS.interrupt_grace + 20
CLASS_SECONDS = 600
# Beside two CPU hogs a grading process gets half its share of the 2 cores: nbgrader's start and end, and
# the class, take up to twice as long (a hung cell is still stopped at wall_factor x its limit).
HOGS = 2
CASE_SECONDS_BESIDE_HOGS = CASE_SECONDS + 20
CLASS_SECONDS_BESIDE_HOGS = 2 * CLASS_SECONDS
HONEST = {"full": 6.0, "blank": 0.0, "partial_1": 2.0, "partial_2": 3.0}
RIGHT = {
    "log_sigmoid": "return -math.log(1.0 + math.exp(-x))",
    "mean": "return sum(values) / len(values)",
    "kl_bernoulli": "return p * math.log(p / q) + (1 - p) * math.log((1 - p) / (1 - q))",
}
WRONG = {name: "return 0.5" for name in RIGHT}
# Answers that call whatever a prelude managed to steal (nothing stolen: KeyError, 0 points).
STOLEN = {
    "log_sigmoid": 'return STOLEN["log_sigmoid"](x)',
    "mean": 'return STOLEN["mean"](values)',
    "kl_bernoulli": 'return STOLEN["kl_bernoulli"](p, q)',
}
STEAL = """
import glob, json, sqlite3
STOLEN = {}
def steal_notebook(path):
    for cell in json.load(open(path))["cells"]:
        text = "".join(cell["source"])
        if "def " in text and "return" in text:
            exec("import math, sys, warnings\\n" + text, STOLEN)
def steal_gradebook(path):
    for (text,) in sqlite3.connect(path).execute("select source from source_cell"):
        if "def " in text and "return" in text:
            exec("import math, sys, warnings\\n" + text, STOLEN)
"""


def released_notebook(context) -> nbformat.NotebookNode:
    return nbformat.read(lesson_notebook(context["submissions"] / "blank", "toy"), as_version=4)


def student(
    context,
    answers=WRONG,
    prelude: str | None = None,
    after: dict[str, str] | None = None,
    body: dict[str, str] | None = None,
) -> nbformat.NotebookNode:
    """The released toy notebook answered with `answers`; `prelude` as a cell of its own before the
    exercises; `after[id]` appended to a solution cell; `body[id]` before the answer in the function."""
    notebook = released_notebook(context)
    for cell in notebook.cells:
        if cell.get("id") in answers:
            answer = answers[cell.id]
            if body and cell.id in body:
                answer = "\n    ".join(body[cell.id].splitlines()) + "\n    " + answer
            cell.source = cell.source.replace('raise NotImplementedError("exercise not done yet")', answer)
            if after and cell.id in after:
                cell.source += "\n" + after[cell.id]
    if prelude:
        notebook.cells.insert(2, nbformat.v4.new_code_cell(prelude))
    return notebook


def cells_where(notebook, test):
    return [cell for cell in notebook.cells if test(cell)]


def is_test(cell) -> bool:
    return cell.get("id", "").endswith("_tests")


# --- the cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    score: float
    failure: str | None  # a substring of the reported failure (None: graded to the end)
    why: str
    needs_sandbox: bool = False
    # Run the attack only where the kernel has a uid of its own inside a sandbox (root + bwrap or
    # unshare); elsewhere it could reach the machine running the tests, and the case sends the
    # right answers without it (same expected score, nothing proven: the test is skipped).
    dangerous: bool = False


def edited_tests(context):
    notebook = student(context)
    for cell in cells_where(notebook, is_test):
        cell.source = "pass  # tests? what tests"
    return notebook


def deleted_tests(context):
    notebook = student(context)
    notebook.cells = [cell for cell in notebook.cells if not is_test(cell)]
    return notebook


def retyped_tests(context):
    notebook = student(context)
    notebook.cells = [
        nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata, id=cell.id) if is_test(cell) else cell
        for cell in notebook.cells
    ]
    return notebook


def untagged_tests(context):
    notebook = student(context)
    for cell in cells_where(notebook, is_test):
        del cell.metadata["nbgrader"]
        cell.source = "pass"
    return notebook


def tampered_points(context):
    notebook = student(context, RIGHT)
    for cell in cells_where(notebook, is_test):
        cell.metadata["nbgrader"]["points"] = 100
    return notebook


def tampered_ids(context):
    """Test cells renamed and emptied, plus an invented 100-point test cell that passes."""
    notebook = student(context)
    for cell in cells_where(notebook, is_test):
        cell.metadata["nbgrader"]["grade_id"] = "renamed_" + cell.id
        cell.source = "pass"
    bonus = nbformat.v4.new_code_cell(
        "pass",
        metadata={
            "nbgrader": {
                "grade": True,
                "grade_id": "bonus_tests",
                "locked": True,
                "points": 100,
                "schema_version": 3,
                "solution": False,
                "task": False,
            }
        },
    )
    notebook.cells.append(bonus)
    return notebook


def solution_made_test(context):
    """The answer cell re-marked as a locked test cell: answers must still come from the student."""
    notebook = student(context, RIGHT)
    for cell in cells_where(notebook, lambda cell: cell.get("id") == "log_sigmoid"):
        cell.metadata["nbgrader"].update(grade=True, solution=False, locked=True, points=50)
    return notebook


CASES: dict[str, tuple[Case, object]] = {}


def case(name, score, failure=None, why="", needs_sandbox=False, dangerous=False):
    def register(build):
        CASES[name] = (Case(name, score, failure, why, needs_sandbox, dangerous), build)
        return build

    return register


case("edited_tests", 0.0, why="test cells emptied: put back from the source, they fail")(edited_tests)
case("deleted_tests", 0.0, why="test cells deleted: put back from the source, they fail")(deleted_tests)
case("retyped_tests", 0.0, why="test cells turned into markdown: type and text from the source")(retyped_tests)
case("untagged_tests", 0.0, why="nbgrader metadata removed from the tests: re-added from the source")(untagged_tests)
case("tampered_points", 6.0, why="right answers, points raised to 100: points come from the source")(tampered_points)
case("tampered_ids", 0.0, why="tests renamed, an invented 100-point cell: ids come from the source")(tampered_ids)
case("solution_made_test", 6.0, why="answer cell re-marked as a 50-point test: metadata from the source")(
    solution_made_test
)

case("numpy_patch", 0.0, why="numpy's comparisons patched to say True")(
    lambda c: student(
        c,
        prelude=(
            "import numpy, numpy.testing\n"
            "numpy.allclose = numpy.isclose = numpy.array_equal = lambda *a, **k: True\n"
            "numpy.testing.assert_allclose = lambda *a, **k: None"
        ),
    )
)
case("torch_patch", 0.0, why="torch's comparisons patched; answers are tensors")(
    lambda c: student(
        c,
        {name: "return torch.tensor(0.5)" for name in RIGHT},
        prelude=(
            "import torch\n"
            "torch.allclose = torch.equal = lambda *a, **k: True\n"
            "torch.isclose = lambda a, b, *r, **k: torch.ones_like(torch.as_tensor(a), dtype=torch.bool)\n"
            "torch.Tensor.__eq__ = lambda self, other: True\n"
            "torch.Tensor.__sub__ = lambda self, other: torch.zeros(())"
        ),
    )
)
case(
    "builtins_patch",
    0.0,
    "CellTimeoutError",
    why="abs, all, isinstance, AssertionError replaced in builtins: the kernel hangs in the first test and is killed",
)(
    lambda c: student(
        c,
        prelude=(
            "import builtins\n"
            "builtins.abs = lambda x: 0.0\n"
            "builtins.all = builtins.any = lambda *a: True\n"
            "builtins.isinstance = lambda *a: True\n"
            "builtins.AssertionError = type('AssertionError', (Exception,), {})"
        ),
    )
)
case("always_equal_float", 0.0, why="a float subclass whose comparisons are always True")(
    lambda c: student(
        c,
        {name: "return AlwaysEqual(0.5)" for name in RIGHT},
        prelude=(
            "class AlwaysEqual(float):\n"
            "    __eq__ = __le__ = __ge__ = __lt__ = __gt__ = lambda self, other: True\n"
            "    __hash__ = float.__hash__\n"
            "    __sub__ = __rsub__ = __abs__ = lambda *a: 0.0"
        ),
    )
)
case("always_equal_object", 0.0, why="an object equal to everything, with __float__ and __sub__ of 0")(
    lambda c: student(
        c,
        {name: "return Anything()" for name in RIGHT},
        prelude=(
            "class Anything:\n"
            "    __eq__ = __le__ = __ge__ = __lt__ = __gt__ = lambda self, other: True\n"
            "    __sub__ = __rsub__ = lambda self, other: 0.0\n"
            "    __float__ = lambda self: 0.0\n"
            "    __abs__ = lambda self: 0.0"
        ),
    )
)
case(
    "patched_checks",
    0.0,
    why="autograde.checks' functions replaced by no-ops in the module itself: "
    "no check records, so the grader fails the tests outside the kernel",
)(
    lambda c: student(
        c,
        prelude=(
            "import autograde.checks as checks\n"
            "checks.assert_close = checks.assert_true = checks.assert_shape = lambda *a, **k: None\n"
            "assert_close, assert_true = checks.assert_close, checks.assert_true  # the names the visible tests use"
        ),
    )
)
case(
    "patched_check_internals",
    0.0,
    why="autograde.checks._floats patched so that every value reads "
    "0.0: the records' expected values no longer match the source's numbers",
)(lambda c: student(c, prelude=("import autograde.checks as checks\nchecks._floats = lambda value, what: [0.0]")))
case(
    "fake_partial_credit",
    0.0,
    why="checks made to return 100 so each test cell 'prints' a score "
    "(nbgrader's partial credit); the grader ignores printed scores",
)(
    lambda c: student(
        c,
        prelude=(
            "import autograde.checks as checks\n"
            "checks.assert_close = checks.assert_true = lambda *a, **k: 100\n"
            "assert_close, assert_true = checks.assert_close, checks.assert_true  # the names the visible tests use"
        ),
    )
)
case("swallowed_errors", 0.0, why="IPython told to swallow every exception and show no traceback")(
    lambda c: student(
        c,
        prelude=(
            "ip = get_ipython()\n"
            "ip.set_custom_exc((BaseException,), lambda *a, **k: None)\n"
            "ip.showtraceback = lambda *a, **k: None"
        ),
    )
)
case(
    "runtime_shadow_checks",
    0.0,
    why="writes autograde/checks.py (always passes) next to the notebook and drops the real one from sys.modules",
)(
    lambda c: student(
        c,
        prelude=(
            "import os, sys\n"
            "os.makedirs('autograde', exist_ok=True)\n"
            "open('autograde/__init__.py', 'w').close()\n"
            "open('autograde/checks.py', 'w').write('def assert_close(*a, **k): pass\\nassert_true = assert_shape = assert_close\\n')\n"
            "sys.path.insert(0, os.getcwd())\n"
            "for name in [n for n in sys.modules if n.startswith('autograde')]:\n"
            "    del sys.modules[name]"
        ),
    )
)
case(
    "forged_records",
    6.0,
    why="NOT DEFENDED: assert_close replaced by code that forges a passing "
    "record from the expected value it is given (see docs/threat-model.md)",
)(
    lambda c: student(
        c,
        prelude=(
            "import autograde.checks as checks\n"
            "def forged(actual, expected, atol=1e-5, rtol=1e-5, what='result'):\n"
            "    values = [repr(float(expected))]\n"
            "    checks._record(check='close', what=what, got=values, want=values, atol=repr(atol), rtol=repr(rtol))\n"
            "checks.assert_close = forged\n"
            "checks.assert_true = lambda condition, message: checks._record(check='true', what=message, passed=True)\n"
            "assert_close, assert_true = checks.assert_close, checks.assert_true  # the names the visible tests use"
        ),
    )
)

case("sys_exit", 6.0, why="sys.exit() in a cell of its own: IPython turns it into an error of that cell")(
    lambda c: student(c, RIGHT, prelude="import sys\nsys.exit(1)")
)
case("system_exit_in_answer", 4.0, why="log_sigmoid raises SystemExit: only its 2-point test fails")(
    lambda c: student(c, RIGHT, body={"log_sigmoid": "raise SystemExit(0)"})
)
case("keyboard_interrupt_in_answer", 5.0, why="mean raises KeyboardInterrupt: only its 1-point test fails")(
    lambda c: student(c, RIGHT, body={"mean": "raise KeyboardInterrupt"})
)
case(
    "os_exit",
    3.0,
    "DeadKernelError",
    why="os._exit in the last answer cell: the kernel dies there; the two tests before it keep their points",
)(lambda c: student(c, RIGHT, after={"kl_bernoulli": "import os\nos._exit(3)"}))
case("segfault", 2.0, "DeadKernelError", why="a segfault in the second answer cell")(
    lambda c: student(c, RIGHT, after={"mean": "import ctypes\nctypes.string_at(0)"})
)
case(
    "infinite_loop", 6.0, why="while True after the last answer: interrupted at the cell limit, the tests after it run"
)(lambda c: student(c, RIGHT, after={"kl_bernoulli": "while True:\n    pass"}))
case(
    "loop_ignoring_sigint",
    2.0,
    "CellTimeoutError",
    why="SIGINT ignored, then while True: the kernel is killed; later tests are not run",
)(
    lambda c: student(
        c, RIGHT, after={"mean": ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass")}
    )
)
case("loop_in_answer", 5.0, why="mean never returns: its test is interrupted, the others pass")(
    lambda c: student(c, RIGHT, body={"mean": "while True:\n    pass"})
)
case("memory_bomb", 6.0, why="allocates until the memory limit: MemoryError in that cell only")(
    lambda c: student(
        c,
        RIGHT,
        after={
            "mean": ("def bomb():\n    hoard = []\n    while True:\n        hoard.append(b'x' * (64 * 2**20))\nbomb()")
        },
    )
)
case(
    "tree_memory_bomb",
    6.0,
    why="six children of 500 MB each, every one under the per-process limit: "
    "the submission's memory limit (control group) gets some of them killed, the kernel goes on",
)(
    lambda c: student(
        c,
        RIGHT,
        after={
            "mean": (
                "import os, time\n"
                "children = []\n"
                "for _ in range(6):\n"
                "    pid = os.fork()\n"
                "    if pid == 0:\n"
                "        try:\n"
                "            hoard = b'x' * (500 * 2**20)\n"
                "            time.sleep(0.5)\n"
                "        finally:\n"
                "            os._exit(0)\n"
                "    children.append(pid)\n"
                "for pid in children:\n"
                "    os.waitpid(pid, 0)"
            )
        },
    )
)
case("output_bomb", 6.0, why="prints without end: output cut off, cell interrupted")(
    lambda c: student(c, RIGHT, after={"mean": "while True:\n    print('spam' * 2500)"})
)
case("long_output", 6.0, why="prints 2 MB and ends: output cut off at the limit, the answer still counts")(
    lambda c: student(c, RIGHT, after={"mean": "for _ in range(200):\n    print('spam' * 2500)"})
)
case(
    "fork_bomb",
    6.0,
    why="forks until the process limit; the children are killed with the sandbox",
    needs_sandbox=True,
    dangerous=True,
)(
    lambda c: student(
        c,
        RIGHT,
        after={
            "mean": (
                "import os, signal\n"
                "if os.getuid() < 20000:\n    raise RuntimeError('no uid of its own here: not fork-bombing the host')\n"
                "try:\n"
                "    for _ in range(100000):\n"
                "        if os.fork() == 0:\n"
                "            signal.pause()\n"
                "except OSError as error:\n"
                "    print('stopped:', error)"
            )
        },
    )
)
case(
    "kill_everything",
    6.0,
    why="kill(-1, SIGKILL): only the kernel's own processes can be reached, nbgrader and the other students go on",
    needs_sandbox=True,
    dangerous=True,
)(
    lambda c: student(
        c,
        RIGHT,
        after={
            "mean": (
                "import os, signal\n"
                "if os.getuid() >= 20000:  # the grader's own uid for this kernel\n    os.kill(-1, signal.SIGKILL)\n"
                "else:\n    raise RuntimeError('no uid of its own here: not killing the host')"
            )
        },
    )
)

case(
    "steal_source",
    0.0,
    why="reads the source notebook (solutions and hidden tests) and uses its answers",
    needs_sandbox=True,
)(
    lambda c: student(
        c,
        STOLEN,
        prelude=STEAL
        + (
            f"for path in [{str(c['source'] / 'toy' / 'toy.ipynb')!r}, {str(REPO / 'tests/fixtures/toy/toy/toy.ipynb')!r}]:\n"
            "    try:\n        steal_notebook(path)\n    except Exception as error:\n        print(error)"
        ),
    )
)
case("steal_gradebook", 0.0, why="reads the class gradebook and its scratch copy (source cells)", needs_sandbox=True)(
    lambda c: student(
        c,
        STOLEN,
        prelude=STEAL
        + (
            f"for path in [{str(c['out'] / 'gradebook.db')!r}, '../../../gradebook.db']:\n"
            "    try:\n        steal_gradebook(path)\n    except Exception as error:\n        print(error)"
        ),
    )
)
case(
    "steal_other_students",
    0.0,
    why="reads other students' notebooks (class folders, other scratch folders)",
    needs_sandbox=True,
)(
    lambda c: student(
        c,
        STOLEN,
        prelude=STEAL
        + (
            f"paths = [{str(c['out'] / 'submitted' / 'full' / 'toy' / 'toy.ipynb')!r},"
            f" {str(c['submissions'] / 'full' / 'toy' / 'toy.ipynb')!r}]\n"
            "paths += glob.glob('/tmp/autograde-class-*/submissions/*/course/*/full/toy/toy.ipynb')\n"
            "paths += glob.glob('../../../../*/course/*/full/toy/toy.ipynb')\n"
            "for path in paths:\n"
            "    try:\n        steal_notebook(path)\n    except Exception as error:\n        print(error)"
        ),
    )
)
case(
    "vandal",
    0.0,
    why="writes the class gradebook, its scratch copy, another student's notebook and a file outside",
    needs_sandbox=True,
)(
    lambda c: student(
        c,
        prelude=(
            "import sqlite3\n"
            f"for path in [{str(c['out'] / 'gradebook.db')!r}, '../../../gradebook.db']:\n"
            "    try:\n"
            "        db = sqlite3.connect(path)\n"
            "        db.execute('update grade set auto_score = 99')\n"
            "        db.commit()\n"
            "    except Exception as error:\n        print(error)\n"
            f"for path in [{str(c['out'] / 'submitted' / 'full' / 'toy' / 'toy.ipynb')!r}, {str(c['canary'])!r}]:\n"
            "    try:\n        open(path, 'w').write('{}')\n"
            "    except Exception as error:\n        print(error)"
        ),
    )
)
case("network", 0.0, why="fetches the answers from a server on this machine", needs_sandbox=True)(
    lambda c: student(
        c,
        STOLEN,
        prelude=(
            "import socket\nSTOLEN = {}\n"
            "try:\n"
            f"    with socket.create_connection(('127.0.0.1', {c['port']}), timeout=3) as connection:\n"
            "        exec('import math\\n' + connection.recv(65536).decode(), STOLEN)\n"
            "except OSError as error:\n    print(error)"
        ),
    )
)
case(
    "environment_secrets",
    0.0,
    why="looks in the environment for the grader's secrets and NBGRADER_* settings to find answers",
    needs_sandbox=False,
)(
    lambda c: student(
        c,
        STOLEN,
        prelude=(
            "import os\nSTOLEN = {}\nexec('import math\\n' + os.environ.get('GRADER_SECRET_ANSWERS', ''), STOLEN)"
        ),
    )
)
case("nbgrader_env_tricks", 0.0, why="NBGRADER_EXECUTION and the record switch changed, checks silenced")(
    lambda c: student(
        c,
        prelude=(
            "import os\n"
            "os.environ['NBGRADER_EXECUTION'] = 'validate'\n"
            "os.environ['AUTOGRADE_CHECK_RECORDS'] = '0'\n"
            "os.environ.pop('NBGRADER_VALIDATING', None)\n"
            "import autograde.checks as checks\n"
            "checks.assert_close = checks.assert_true = lambda *a, **k: None\n"
            "assert_close, assert_true = checks.assert_close, checks.assert_true  # the names the visible tests use"
        ),
    )
)
case("future_cell_schema", 6.0, why="nbgrader schema_version 99 in every cell: metadata rebuilt from the source")(
    lambda c: _future_schema(student(c, RIGHT))
)
case("shipped_modules", 0.0, why="ships autograde/checks.py and math.py next to the notebook")(
    lambda c: student(c)
)  # (the files are added by write_case)


def _future_schema(notebook):
    for cell in notebook.cells:
        if "nbgrader" in cell.metadata:
            cell.metadata["nbgrader"]["schema_version"] = 99
    return notebook


# Files that are not (good) notebooks: name -> (score, failure, why, writer)
BROKEN_FILES = {
    "empty_file": ("is empty", "a zero-byte toy.ipynb", lambda path, c: path.write_bytes(b"")),
    "truncated_json": (
        "NotJSONError",
        "cut-off JSON",
        lambda path, c: path.write_text(lesson_notebook(c["submissions"] / "full", "toy").read_text()[:700]),
    ),
    "binary_garbage": ("NotJSONError", "random bytes", lambda path, c: path.write_bytes(os.urandom(4096))),
    "json_not_notebook": ("not a Jupyter notebook", "valid JSON, a list", lambda path, c: path.write_text("[1, 2, 3]")),
    "future_nbformat": (
        "notebook format 5",
        "nbformat 5",
        lambda path, c: path.write_text(
            json.dumps({**json.loads(lesson_notebook(c["submissions"] / "full", "toy").read_text()), "nbformat": 5})
        ),
    ),
    "huge_file": (
        "MB allowed",
        "3 MB of outputs (limit 2 MB)",
        lambda path, c: path.write_text(
            json.dumps(
                {
                    **json.loads(lesson_notebook(c["submissions"] / "full", "toy").read_text()),
                    "metadata": {"padding": "x" * 3 * 1024 * 1024},
                }
            )
        ),
    ),
    "wrong_file_name": (
        "is missing (found: Toy (1).ipynb)",
        "the right notebook under another name",
        lambda path, c: shutil.copyfile(
            lesson_notebook(c["submissions"] / "full", "toy"), path.with_name("Toy (1).ipynb")
        ),
    ),
    "missing_notebook": ("is missing (found: no notebook)", "an empty lesson folder", lambda path, c: None),
    "symlinked_notebook": (
        "symbolic link",
        "toy.ipynb is a link to another student's notebook",
        lambda path, c: path.symlink_to(lesson_notebook(c["submissions"] / "full", "toy")),
    ),
}
for _name, (_failure, _why, _writer) in BROKEN_FILES.items():
    CASES[_name] = (Case(_name, 0.0, _failure, _why), _writer)


ANSWER_CODE = "\n".join(
    f"def {name}({args}):\n    {RIGHT[name]}"
    for name, args in [("log_sigmoid", "x"), ("mean", "values"), ("kl_bernoulli", "p, q")]
)


# --- the class ------------------------------------------------------------------------------------


class AnswerServer:
    """A server on this machine that hands out the right answers to whoever connects."""

    def __init__(self):
        self.connections = 0
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        code = ANSWER_CODE
        while True:
            connection, _ = self.socket.accept()
            self.connections += 1
            with connection:
                connection.sendall(code.encode())


# Cases that wait for a time limit, fill memory or import torch: tens of seconds each. The complete suite
# grades them; `make test` grades the rest.
SLOW_CASES = {
    "builtins_patch",
    "infinite_loop",
    "loop_ignoring_sigint",
    "loop_in_answer",
    "torch_patch",
    "tree_memory_bomb",
}


def write_case(name: str, build, context) -> None:
    path = lesson_notebook(context["submissions"] / name, "toy")
    path.parent.mkdir(parents=True)
    if name in BROKEN_FILES:
        build(path, context)
        return
    case = CASES[name][0]
    if (case.dangerous and not own_uid_sandbox()) or (case.needs_sandbox and not sandboxed()):
        # Not run here (its test is skipped): a harmless submission with the same score instead.
        build = lambda context: student(context, RIGHT if case.score == 6 else WRONG)  # noqa: E731
    nbformat.write(build(context), path)
    if name == "shipped_modules":
        (path.parent / "autograde").mkdir()
        (path.parent / "autograde" / "__init__.py").write_text("")
        (path.parent / "autograde" / "checks.py").write_text(
            "def assert_close(*a, **k): pass\nassert_true = assert_shape = assert_close\n"
        )
        (path.parent / "math.py").write_text("def log(x): return 0.0\ndef exp(x): return 1.0\n")


# The tests that read the class grading: with `--dist loadgroup` they run on one worker, which grades
# the class, while the other worker runs other tests (with the lock alone it waited, idle, as long as
# the grading took: 217 s of the suite on a busy machine).
ONE_CLASS_GRADING = pytest.mark.xdist_group("adversarial_class")


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory):
    """The class graded once: (results by student, seconds, context, connections to the answer server).
    Every case beside two CPU hogs when a slow test here is selected (the complete suite), the quick
    cases alone otherwise. Under pytest-xdist the first worker grades and the others read its results
    (a lock and a JSON file next to their temporary folders), so that 2 cores grade the class once."""
    complete = any(item.path == Path(__file__) and item.get_closest_marker("slow") for item in request.session.items)
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    with FileLock(shared / "adversarial.lock"):
        saved = shared / "adversarial.json"
        if not saved.is_file():
            cases = list(CASES) if complete else [name for name in CASES if name not in SLOW_CASES]
            with cpu_hogs(HOGS if complete else 0):
                grading = grade_the_class(shared / "adversarial", cases)
            saved.write_text(json.dumps({**grading, "hogs": HOGS if complete else 0}))
    data = json.loads(saved.read_text())
    results = {name: SimpleNamespace(**result) for name, result in data["results"].items()}
    context = {name: Path(value) if isinstance(value, str) else value for name, value in data["context"].items()}
    context["hogs"] = data["hogs"]
    return results, data["seconds"], context, data["connections"]


@contextlib.contextmanager
def cpu_hogs(count: int):
    """`count` processes that spin on a CPU each until the block ends."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def grade_the_class(root: Path, cases: list[str]) -> dict:
    source = root / "source"
    shutil.copytree(TOY, source)  # a copy: no case can reach (or damage) the repository's fixture
    server = AnswerServer()
    context = {
        "submissions": root / "submissions",
        "out": root / "out",
        "source": source,
        "port": server.port,
        "canary": root / "escaped.txt",
    }
    build_sample_class(source, context["submissions"])
    for name in cases:
        write_case(name, CASES[name][1], context)
    os.environ["GRADER_SECRET_ANSWERS"] = ANSWER_CODE  # (the grader's environment must not reach a kernel)
    try:
        start = time.monotonic()
        results = grade_class(
            context["submissions"],
            context["out"],
            source,
            jobs=2,
            on_result=lambda result: None,
            limits=LIMITS,
        )
        seconds = time.monotonic() - start
    finally:
        del os.environ["GRADER_SECRET_ANSWERS"]
    for result in results:  # (shown with pytest -s: the table of docs/threat-model.md)
        print(
            f"{result.student:<30} {result.score:g}/{result.max_score:g} {result.seconds:5.1f}s  {result.failure or ''}"
        )
    print(f"class of {len(results)} graded in {seconds:.0f} s ({choose_sandbox().mechanism})")
    return {
        "results": {
            result.student: {
                "score": result.score,
                "max_score": result.max_score,
                "failure": result.failure,
                "seconds": result.seconds,
                "peak_memory_mb": result.peak_memory_mb,
                "memory_kills": result.memory_kills,
            }
            for result in results
        },
        "seconds": seconds,
        "context": {name: str(value) if isinstance(value, Path) else value for name, value in context.items()},
        "connections": server.connections,
    }


def sandboxed() -> bool:
    return choose_sandbox().mechanism != "none"


def own_uid_sandbox() -> bool:
    """Kernels run in a sandbox under a uid of their own (as root, see kernel_launcher.py)."""
    return sandboxed() and os.geteuid() == 0


def test_there_are_enough_cases():
    assert len(CASES) >= 25


def test_grading_runs_under_bubblewrap():
    """The strongest sandbox, the one instructors get from `make setup`: where it fails, the class is
    graded under a weaker one and the isolation cases prove less."""
    if problem := why_sandbox_fails("bwrap"):
        skip_outside_ci(f"bubblewrap does not work here ({problem})")
    assert choose_sandbox.__wrapped__(warn=False).mechanism == "bwrap"


@ONE_CLASS_GRADING
@pytest.mark.parametrize("name", [pytest.param(n, marks=[pytest.mark.slow] * (n in SLOW_CASES)) for n in CASES])
def test_case_gets_its_exact_score(graded, name):
    results, _, context, _ = graded
    expected, _ = CASES[name]
    if expected.needs_sandbox and not sandboxed():
        skip_outside_ci("no sandbox works here (neither bwrap nor unshare): isolation is not defended")
    if expected.dangerous and not own_uid_sandbox():
        skip_outside_ci("kernels get no uid of their own here (not root): the attack was not run")
    result = results[name]
    assert_exact_result(name, result)
    bound = CASE_SECONDS_BESIDE_HOGS if context["hogs"] else CASE_SECONDS
    assert result.seconds < bound, f"{name} took {result.seconds:.0f} s"


def assert_exact_result(name: str, result) -> None:
    """The case's score, and the reason it was stopped (or none)."""
    expected, _ = CASES[name]
    assert (result.score, result.max_score) == (expected.score, 6.0), (name, result)
    if expected.failure is None:
        assert result.failure is None, (name, result.failure)
    else:
        assert result.failure is not None and expected.failure in result.failure, (name, result.failure)
        assert "\n" not in result.failure


@ONE_CLASS_GRADING
def test_honest_students_keep_their_scores(graded):
    results, _, context, _ = graded
    assert {name: results[name].score for name in HONEST} == HONEST
    assert all(results[name].failure is None for name in HONEST)
    # ... in the exported grades too, whatever the vandal wrote; and every case as in the summary.
    with (context["out"] / "grades.csv").open(newline="") as file:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(file)}
    assert exported == {name: result.score for name, result in results.items()}
    assert {name: exported[name] for name in HONEST} == HONEST


@ONE_CLASS_GRADING
def test_class_is_graded_in_bounded_time(graded):
    _, seconds, context, _ = graded
    assert seconds < (CLASS_SECONDS_BESIDE_HOGS if context["hogs"] else CLASS_SECONDS)


@ONE_CLASS_GRADING
@pytest.mark.slow
def test_the_complete_class_is_graded_beside_cpu_hogs(graded):
    """So every case's exact score above holds on a busy machine (tests/test_grading_load.py)."""
    results, _, context, _ = graded
    assert context["hogs"] == HOGS and set(results) == set(HONEST) | set(CASES)


@ONE_CLASS_GRADING
def test_nothing_escaped_the_sandbox(graded):
    _, _, context, connections = graded
    if not sandboxed():
        skip_outside_ci("no sandbox works here (neither bwrap nor unshare)")
    assert connections == 0
    assert not context["canary"].exists()
    assert nbformat.read(StudentNotebook(context["out"], "full", "toy").submitted, as_version=4).cells


@ONE_CLASS_GRADING
def test_summary_has_one_row_per_student_with_a_readable_reason(graded):
    results, _, context, _ = graded
    with (context["out"] / "summary.csv").open(newline="") as file:
        rows = {row["student_id"]: row for row in csv.DictReader(file)}
    assert set(rows) == set(results) and set(HONEST) | set(CASES) - SLOW_CASES <= set(rows)
    for name, (case, _) in CASES.items():
        if case.failure and name in rows:
            assert case.failure in rows[name]["failure"] and "Traceback" not in rows[name]["failure"]


@ONE_CLASS_GRADING
def test_long_output_is_cut_off_at_the_limit(graded):
    """2 MB of prints: the grader keeps the first output_kb and says it cut the rest off."""
    _, _, context, _ = graded
    notebook = StudentNotebook(context["out"], "long_output", "toy").autograded
    assert notebook.stat().st_size < 2 * LIMITS.output_kb * 1024
    assert "output cut off by the grader" in notebook.read_text()


@ONE_CLASS_GRADING
def test_output_bomb_leaves_a_small_notebook(graded):
    """Endless prints are stopped either by the grader's cut-off or, when the grader reads them too late
    on a busy machine, by the kernel's own memory limit (a MemoryError in the print, seen in CI's fresh
    clone): either way the notebook stays small and the answer keeps its points (test_case_scores)."""
    _, _, context, _ = graded
    notebook = StudentNotebook(context["out"], "output_bomb", "toy").autograded
    assert notebook.stat().st_size < 2 * LIMITS.output_kb * 1024
    text = notebook.read_text()
    assert "output cut off by the grader" in text or '"ename": "MemoryError"' in text


@ONE_CLASS_GRADING
@pytest.mark.slow  # (infinite_loop is a slow case)
def test_a_cell_stopped_at_its_limit_says_so_in_the_feedback(graded):
    """infinite_loop's loop is interrupted at the cell limit; the student reads why, not only a
    KeyboardInterrupt."""
    _, _, context, _ = graded
    feedback = StudentNotebook(context["out"], "infinite_loop", "toy").feedback.read_text()
    assert "CellTimeLimit: the grader interrupted this cell: it " in html.unescape(re.sub(r"<[^>]+>", "", feedback))


@ONE_CLASS_GRADING
@pytest.mark.slow  # (tree_memory_bomb is a slow case)
def test_a_submission_s_processes_share_one_memory_limit(graded):
    """tree_memory_bomb's six children, 3 GB together, in a 2 GB control group: the kernel killed some
    of them (whether or not the cell waiting for them got to its end before the cell time limit), and
    the tree never held more than its limit; honest submissions lost nothing."""
    results, _, _, _ = graded
    if not control_group.works():
        skip_outside_ci("cannot make control groups here (needs root): memory is limited per process only")
    bomb = results["tree_memory_bomb"]
    assert 0 < bomb.peak_memory_mb <= LIMITS.tree_memory_mb
    assert bomb.memory_kills >= 1
    assert all(results[name].peak_memory_mb and results[name].memory_kills == 0 for name in HONEST)


@pytest.mark.parametrize("mechanism", ["unshare", "none"])
def test_other_mechanisms(tmp_path, mechanism):
    """`grade` under a forced weaker mechanism: honest grades are right; under unshare the network and
    the class gradebook stay out of reach; without a sandbox, a one-line warning says so."""
    if mechanism == "unshare" and not sandbox_works("unshare"):
        skip_outside_ci("unshare does not work here (no user namespaces, or not installed)")
    context = {
        "submissions": tmp_path / "submissions",
        "out": tmp_path / "out",
        "source": tmp_path / "source",
        "port": 9,
        "canary": tmp_path / "escaped.txt",
    }
    shutil.copytree(TOY, context["source"])
    build_sample_class(context["source"], context["submissions"])
    names = ["steal_gradebook", "vandal", "patched_checks"] if mechanism == "unshare" else ["patched_checks"]
    for name in names:
        write_case(name, CASES[name][1], context)
    for name in ("blank", "partial_1", "partial_2"):
        shutil.rmtree(context["submissions"] / name)
    command = [
        sys.executable,
        "-m",
        "autograde",
        "grade",
        str(context["submissions"]),
        "-o",
        str(context["out"]),
        "--source",
        str(context["source"]),
        "--timeout",
        "60",
        "--cell-timeout",
        "4",
    ]
    environment = (
        {**os.environ, "AUTOGRADE_SANDBOX": mechanism}
        if mechanism == "unshare"
        else {**os.environ, "AUTOGRADE_SANDBOX": "", "PATH": str(tmp_path / "no-tools")}
    )
    if mechanism == "none":  # no bwrap or unshare on PATH: the fallback, found by itself
        (tmp_path / "no-tools").mkdir()
        command[0] = sys.executable
    process = subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=240)
    assert process.returncode == 0, process.stderr
    scores = {line.split()[0]: line.split()[2] for line in process.stdout.splitlines() if " toy " in line}
    assert scores == {"full": "6/6", **{name: "0/6" for name in names}}
    warnings = [line for line in process.stderr.splitlines() if "WARNING: no sandbox" in line]
    assert len(warnings) == (1 if mechanism == "none" else 0)
    assert not context["canary"].exists()


# --- the pieces, without nbgrader (fast) ------------------------------------------------------------


def toy_notebooks(tmp_path):
    from autograde.course import generate
    from autograde.lessons import find_lessons

    generate(TOY, tmp_path, find_lessons(TOY))
    return (
        nbformat.read(lesson_notebook(TOY, "toy"), as_version=4),
        nbformat.read(lesson_notebook(tmp_path, "toy"), as_version=4),
    )


def test_rebuild_takes_points_ids_types_and_kernel_from_the_source(tmp_path):
    from autograde.submission import rebuild

    source, released = toy_notebooks(tmp_path)
    submitted = nbformat.from_dict(released)
    submitted.metadata["kernelspec"] = {"name": "evil", "display_name": "evil", "language": "python"}
    tests = [cell for cell in submitted.cells if is_test(cell)]
    tests[0].metadata["nbgrader"]["points"] = 100
    tests[1].cell_type, tests[1].source = "markdown", "nothing to see"
    submitted.cells.remove(tests[2])
    submitted.cells.append(
        nbformat.v4.new_code_cell(
            "pass",
            metadata={
                "nbgrader": {
                    "grade": True,
                    "grade_id": "bonus",
                    "points": 50,
                    "locked": True,
                    "solution": False,
                    "schema_version": 3,
                }
            },
        )
    )
    runnable = rebuild(submitted, source, released)
    graded = [cell for cell in runnable.cells if cell.metadata.get("nbgrader", {}).get("grade")]
    original = [cell for cell in source.cells if is_test(cell)]
    assert [(c.id, c.cell_type, c.source, c.metadata["nbgrader"]["points"]) for c in graded] == [
        (c.id, "code", c.source, c.metadata["nbgrader"]["points"]) for c in original
    ]
    assert runnable.metadata["kernelspec"] == source.metadata["kernelspec"]
    assert "BEGIN SOLUTION" not in json.dumps(runnable)


def test_scores_are_decided_from_records_outside_the_kernel(tmp_path):
    from autograde.checks import RECORD_MIME
    from autograde.verdict import judge

    source, _ = toy_notebooks(tmp_path)

    def executed(records_of):
        notebook = nbformat.from_dict(source)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.execution_count = 1
                cell.outputs = (
                    [nbformat.v4.new_output("display_data", data={RECORD_MIME: record}) for record in records_of(cell)]
                    if is_test(cell)
                    else []
                )
        return notebook

    def honest(cell):
        from autograde.verdict import literal_expectations

        records = [
            {
                "check": "close",
                "what": what,
                "got": [repr(w) for w in want],
                "want": [repr(w) for w in want],
                "atol": "1e-05",
                "rtol": "1e-05",
            }
            for what, want in literal_expectations(cell.source)
        ]
        return records + [{"check": "true", "what": "extra", "passed": True}] * (3 - len(records))

    def scores(notebook):
        return {exercise.id: exercise.points for exercise in judge(source, notebook)}

    assert scores(executed(honest)) == {"log_sigmoid_tests": 2.0, "mean_tests": 1.0, "kl_bernoulli_tests": 3.0}
    assert set(scores(executed(lambda cell: [])).values()) == {0.0}  # checks silenced
    zeros = lambda cell: [{**record, "got": ["0.0"], "want": ["0.0"]} for record in honest(cell)]  # noqa: E731
    assert set(scores(executed(zeros)).values()) == {0.0}  # expected values not the source's
    wrong = lambda cell: [
        {**record, "got": ["0.5"]} if record["check"] == "close" else record  # noqa: E731
        for record in honest(cell)
    ]
    assert set(scores(executed(wrong)).values()) == {0.0}  # compared again here: fails


def test_an_unknown_sandbox_is_a_one_line_error(monkeypatch):
    from autograde.errors import AutogradeError

    monkeypatch.setenv("AUTOGRADE_SANDBOX", "chroot")
    with pytest.raises(AutogradeError, match="AUTOGRADE_SANDBOX=chroot is unknown"):
        choose_sandbox.__wrapped__()


def test_the_sandbox_warning_says_why_an_installed_bwrap_failed(monkeypatch, tmp_path, capsys):
    tools = tmp_path / "tools"
    tools.mkdir()
    fake = tools / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    monkeypatch.setenv("AUTOGRADE_SANDBOX", "")
    assert choose_sandbox.__wrapped__().mechanism == "none"
    warning = capsys.readouterr().err
    assert (
        "bubblewrap (bwrap) is installed but failed: bwrap: setting up uid map: Permission denied (exit code 1)"
        in warning
    )
    assert "not installed" not in warning.split("unshare:")[0] and "unshare: not installed" in warning


# --- delegation to the course kit: every exercise of lessons 1-6 ------------------------------------
#
# Answers that hand an exercise to the kit's own function (autograde/kit_exercises.py), in the four
# ways an answer can reach it: imported under the exercise's name, called through its module, wrapped
# (functools.partial: no Python code of the student's runs), or bound to another name at import and
# called from the student's function. One submission per lesson holds one way per exercise, so each
# exercise's 0 shows that way caught; lessons of fewer than four exercises get a second submission,
# whose other answers are the solutions (and keep their points). Lesson 5's one exercise is a script
# of two functions: its two submissions hold two ways each, shown in the watch's record.

DELEGATION_SOURCE = REPO / "solutions"
DELEGATION_FORMS = ("imported", "module", "wrapped", "bound_early")


def delegating_code(dotted: str, form: str) -> str:
    """An answer that defines the kit function `dotted` (rlhf_lab.module.name) by handing it to the kit."""
    module, _, name = dotted.rpartition(".")
    if form == "imported":
        return f"from {module} import {name}\n"
    if form == "module":
        return f"import {module}\n\n\ndef {name}(*args, **kwargs):\n    return {module}.{name}(*args, **kwargs)\n"
    if form == "wrapped":
        return f"import functools\n\nimport {module}\n\n{name} = functools.partial({module}.{name})\n"
    assert form == "bound_early"
    early = f"_early_{name}"
    return f"import {module}\n\n{early} = {module}.{name}\n\n\ndef {name}(*args, **kwargs):\n    return {early}(*args, **kwargs)\n"


LESSON_5_SCRIPT = """%%writefile train_dpo.py
import argparse
import functools

import rlhf_lab.training
from rlhf_lab.data import EMBEDDED
from rlhf_lab.tokenizer import load_tokenizer

{textbook_config}


def parse_args(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--data", nargs="+", default=[EMBEDDED])
    parser.add_argument("--output", default="runs/dpo")
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--preset", choices=["textbook", "cpu"], default="textbook")
    return parser.parse_args(argv)


{train}


def main(argv=None):
    args = parse_args(argv)
    train(args.model, args.data, args.output, load_tokenizer(), preset=args.preset, max_steps=args.max_steps)


if __name__ == "__main__":
    main()
"""
LESSON_5_FORMS = {
    # (how textbook_config and the training reach the kit) -> the script's parts
    ("imported", "module"): {
        "textbook_config": "from rlhf_lab.training import textbook_config",
        "train": "def train(*args, **kwargs):\n    return rlhf_lab.training.train_dpo(*args, **kwargs)",
    },
    ("wrapped", "bound_early"): {
        "textbook_config": "textbook_config = functools.partial(rlhf_lab.training.textbook_config)",
        "train": "_early_train = rlhf_lab.training.train_dpo\n\n\ndef train(*args, **kwargs):\n    return _early_train(*args, **kwargs)",
    },
}
# (student, lesson, {test cell: how its answer reaches the kit}); exercises not named keep the solution.
DELEGATIONS = [
    (
        "delegates_1a",
        "01_reward_models",
        {
            "last_token_pool_tests": "imported",
            "mean_pool_tests": "module",
            "bradley_terry_loss_tests_values": "wrapped",
            "bradley_terry_loss_tests_stable": "wrapped",
            "bradley_terry_loss_tests_gradient": "wrapped",
        },
    ),
    ("delegates_1b", "01_reward_models", {"last_token_pool_tests": "bound_early"}),
    (
        "delegates_2",
        "02_ppo_kl",
        {
            "kl_penalized_reward_tests": "imported",
            "per_token_rewards_tests_values": "module",
            "per_token_rewards_tests_inputs": "module",
            "kl_divergence_tests": "wrapped",
            "kl_optimal_policy_tests": "bound_early",
        },
    ),
    (
        "delegates_3a",
        "03_dpo_derivation",
        {
            "stationary_probability_tests": "imported",
            "reward_from_policy_tests": "module",
            "reward_difference_tests": "wrapped",
        },
    ),
    ("delegates_3b", "03_dpo_derivation", {"reward_difference_tests": "bound_early"}),
    (
        "delegates_4",
        "04_dpo_loss",
        {
            "is_single_turn_tests": "imported",
            "extract_conversation_tests": "module",
            "make_pair_fits_length_tests_make_pair": "wrapped",
            "make_pair_fits_length_tests_fits_length": "wrapped",
            "completion_logprobs_tests": "bound_early",
            "dpo_loss_tests_loss": "imported",
            "dpo_loss_tests_accuracy": "imported",
            "dpo_loss_tests_margin": "imported",
        },
    ),
    (
        "delegates_5a",
        "05_dpo_training",
        {"train_dpo_script_tests_config": "imported", "train_dpo_script_tests_main": ("imported", "module")},
    ),
    (
        "delegates_5b",
        "05_dpo_training",
        {"train_dpo_script_tests_config": "wrapped", "train_dpo_script_tests_main": ("wrapped", "bound_early")},
    ),
    (
        "delegates_6",
        "06_rlhf_loop",
        {
            "leave_one_out_advantages_tests_values": "imported",
            "leave_one_out_advantages_tests_dtype": "imported",
            "clipped_surrogate_loss_tests_values": "module",
            "clipped_surrogate_loss_tests_gradient": "module",
            "clipped_surrogate_loss_tests_dtype": "module",
            "kl_estimate_k1_tests_values": "wrapped",
            "kl_estimate_k1_tests_dtype": "wrapped",
            "kl_estimate_k3_tests_values": "bound_early",
            "kl_estimate_k3_tests_dtype": "bound_early",
        },
    ),
]


def delegating_submission(lesson: str, forms: dict) -> nbformat.NotebookNode:
    """The lesson's solution notebook, with the answer cells of the exercises in `forms` handing them to the kit."""
    from nbgrader import utils

    from autograde.kit_exercises import KIT_FUNCTIONS

    notebook = nbformat.read(lesson_notebook(DELEGATION_SOURCE, lesson), as_version=4)
    form_of = {dotted: form for test, form in forms.items() for dotted in KIT_FUNCTIONS[test]}
    for cell in notebook.cells:
        if not utils.is_solution(cell):
            continue
        if "%%writefile train_dpo.py" in cell.source and "rlhf_lab.training.train_dpo" in form_of:
            cell.source = LESSON_5_SCRIPT.format(**LESSON_5_FORMS[form_of["rlhf_lab.training.train_dpo"]])
            continue
        defined = [dotted for dotted in form_of if f"def {dotted.rpartition('.')[2]}(" in cell.source]
        if defined:
            cell.source = "\n\n".join(delegating_code(dotted, form_of[dotted]) for dotted in defined)
    return notebook


@pytest.fixture(scope="module")
def delegations_graded(tmp_path_factory):
    """The delegating submissions of lessons 1-6 graded as one class: (results by student, course folder)."""
    root = tmp_path_factory.mktemp("delegation")
    for student, lesson, forms in DELEGATIONS:
        path = lesson_notebook(root / "submissions" / student, lesson)
        path.parent.mkdir(parents=True)
        nbformat.write(delegating_submission(lesson, forms), path)
    results = grade_class(root / "submissions", root / "out", DELEGATION_SOURCE, jobs=2, on_result=lambda result: None)
    for result in results:  # (shown with pytest -s)
        print(f"{result.student:<14} {result.lesson:<18} {result.score:g}/{result.max_score:g} {result.seconds:5.1f}s")
        for exercise in result.exercises:
            print(f"    {exercise.id:<32} {exercise.points:g}/{exercise.max_points:g}  {exercise.message or ''}")
    return {result.student: result for result in results}, root / "out"


@pytest.mark.slow
@pytest.mark.xdist_group("delegation_class")
@pytest.mark.parametrize("student, lesson, forms", DELEGATIONS, ids=[student for student, _, _ in DELEGATIONS])
def test_an_answer_that_hands_its_exercise_to_the_kit_gets_zero_for_it(delegations_graded, student, lesson, forms):
    """Each delegating exercise: 0 points, and the message naming the kit function; the watch's record
    says how the kit was reached ("is": the name the exercise asks for is the kit's function or wraps it
    in C; "calls": the student's function calls it). The other exercises of the notebook keep their points."""
    from autograde.checks import RECORD_MIME
    from autograde.kit_exercises import KIT_FUNCTIONS

    results, out = delegations_graded
    result = results[student]
    assert result.failure is None, result.failure
    executed = nbformat.read(StudentNotebook(out, student, lesson).autograded, as_version=4)
    for exercise in result.exercises:
        if exercise.id not in forms:
            assert exercise.points == exercise.max_points, exercise
            continue
        assert exercise.points == 0, exercise
        assert "the course's reference implementation rlhf_lab." in exercise.message, exercise
        assert exercise.message.endswith("; the exercise asks you to write it"), exercise
        cell = next(cell for cell in executed.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == exercise.id)
        reports = [
            output.data[RECORD_MIME]
            for output in cell.outputs
            if output.output_type == "display_data" and output.data.get(RECORD_MIME, {}).get("check") == "kit_watch"
        ]
        assert len(reports) == 1 and reports[0]["watched"] == list(KIT_FUNCTIONS[exercise.id]), reports
        kinds = {(found["function"].rpartition(".")[2], found["kind"]) for found in reports[0]["delegated"]}
        ways = forms[exercise.id] if isinstance(forms[exercise.id], tuple) else (forms[exercise.id],)
        watched = [dotted.rpartition(".")[2] for dotted in KIT_FUNCTIONS[exercise.id]]
        for name, way in zip(watched, ways if len(ways) == len(watched) else ways * len(watched)):
            assert (name, "is" if way in ("imported", "wrapped") else "calls") in kinds, (name, way, kinds)
