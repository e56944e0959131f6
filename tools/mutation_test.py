"""Mutation testing of the kit and of the grader's deciding code: does some test fail when a module is
subtly wrong?

For each small change ("mutant") of a module's code (an operator, a comparison, a number, a boolean,
a string), the module's tests run against the mutated module: for a kit module (rlhf_lab), its own
test file and the fast tests that import it; for a grader module (autograde), its own unit test file
only (its other tests run nbgrader, seconds to minutes each). A mutant is killed when a test fails
(or the tests time out); a survivor is a change that no test notices. Survivors worth a look are
printed with their line; some are equivalent (the change does not change behaviour) and cannot be
killed. The scores are kept in tools/mutation_scores.json (`--scores` updates a module's entry).

    nice -n 19 .venv/bin/python tools/mutation_test.py rlhf_lab.losses autograde.verdict --json mutation.json

Slow: each mutant runs the module's tests once. The heavy libraries are imported once and every
mutant runs in a forked child, which saves the ~5 s of imports per mutant that a fresh process costs.
Not part of the test suite; see docs/contributing.md.
"""

import argparse
import ast
import copy
import json
import os
import re
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODULES = (
    "rlhf_lab.losses",
    "rlhf_lab.pairs",
    "rlhf_lab.tokenizer",
    "rlhf_lab.kl_regularization",
    "rlhf_lab.dpo_derivation",
    "rlhf_lab.reward_model",
    "rlhf_lab.policy_gradient",
    "rlhf_lab.sampling",
    "rlhf_lab.rlhf_loop",
    "rlhf_lab.gold_reward",
    "rlhf_lab.proxy_reward",
    "autograde.checks",
    "autograde.verdict",
    "autograde.submission",
)
KIT = "rlhf_lab"  # (its modules are also mutated against the other fast tests that import them)
SCORES = ROOT / "tools" / "mutation_scores.json"
SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Pow: ast.Mult,
    ast.Mod: ast.Mult,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.And: ast.Or,
    ast.Or: ast.And,
}


def _docstring_ids(tree: ast.AST) -> set[int]:
    """ids of the docstring constants: changing them changes no behaviour."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _message_ids(tree: ast.AST) -> set[int]:
    """ids of nodes inside `raise ...` and f-strings: message wording, checked by review, not mutated."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Raise, ast.JoinedStr)):
            ids.update(id(child) for child in ast.walk(node))
    return ids


def mutation_sites(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    """(node, description) for every change this tool makes, in source order."""
    skipped = _docstring_ids(tree) | _message_ids(tree)
    sites = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, (ast.BinOp, ast.BoolOp)) and type(node.op) in SWAPS:
            sites.append((node, f"{type(node.op).__name__} -> {SWAPS[type(node.op)].__name__}"))
        elif isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in SWAPS:
                    sites.append((node, f"compare[{k}] {type(op).__name__} -> {SWAPS[type(op)].__name__}"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            sites.append((node, f"drop {type(node.op).__name__}"))
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                sites.append((node, f"{value} -> {not value}"))
            elif isinstance(value, (int, float)):
                sites.append((node, f"{value!r} -> {value + 1!r}"))
            elif isinstance(value, str):
                sites.append((node, f"{value[:30]!r} -> 'XX' + it + 'XX'"))
    return sorted(sites, key=lambda site: (site[0].lineno, site[0].col_offset, site[1]))


def apply(tree: ast.AST, index: int) -> str:
    """Source of the module with its `index`-th mutation applied."""
    mutated = copy.deepcopy(tree)
    node, description = mutation_sites(mutated)[index]
    if isinstance(node, (ast.BinOp, ast.BoolOp)):
        node.op = SWAPS[type(node.op)]()
    elif isinstance(node, ast.Compare):
        k = int(re.match(r"compare\[(\d+)\]", description).group(1))
        node.ops[k] = SWAPS[type(node.ops[k])]()
    elif isinstance(node, ast.UnaryOp):
        _replace(mutated, node, node.operand)
    elif isinstance(node.value, bool):
        node.value = not node.value
    elif isinstance(node.value, (int, float)):
        node.value = node.value + 1
    else:
        node.value = f"XX{node.value}XX"
    return ast.unparse(mutated)


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
            elif isinstance(value, list):
                parent_list = value
                for k, item in enumerate(parent_list):
                    if item is old:
                        parent_list[k] = new


def tests_for(module: str, test_dir: Path) -> list[str]:
    """The module's own test file first; for a kit module, then the test files that import it."""
    package, short = module.rsplit(".", 1)
    own = test_dir / f"test_{short}.py"
    files = [own] if own.exists() else []
    if package == KIT:
        pattern = re.compile(rf"({KIT}\.{short}\b|from {KIT} import .*\b{short}\b)")
        files += [
            path for path in sorted(test_dir.glob("test_*.py")) if path != own and pattern.search(path.read_text())
        ]
    return [str(path) for path in files]


def run_mutant(module: str, path: Path, source: str, tests: list[str], timeout: float) -> str:
    """'killed', 'survived' or 'timeout': the tests run in a forked child against the mutated module."""
    pid = os.fork()
    if pid == 0:  # child: swap in the mutant, run pytest, report by exit status
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        package = module.split(".")[0]
        for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
            del sys.modules[name]
        import importlib.util

        import pytest

        spec = importlib.util.spec_from_file_location(module, path)
        mutant = importlib.util.module_from_spec(spec)
        sys.modules[module] = mutant
        try:
            exec(compile(source, str(path), "exec"), mutant.__dict__)
            package = importlib.import_module(module.rsplit(".", 1)[0])
            setattr(package, module.rsplit(".", 1)[1], mutant)
            code = pytest.main([*tests, "-x", "-q", "-p", "no:cacheprovider", "-m", "not slow", "-n", "0"])
        except BaseException:  # a mutant that cannot even be imported is caught, i.e. killed
            code = 3
        os._exit(int(code))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return "survived" if os.waitstatus_to_exitcode(status) == 0 else "killed"
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return "timeout"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", default=list(DEFAULT_MODULES))
    parser.add_argument("--tests", default=str(ROOT / "tests"), help="the test folder")
    parser.add_argument("--json", help="write every mutant's outcome here")
    parser.add_argument("--limit", type=int, help="only the first N mutants of each module (a quick look)")
    parser.add_argument(
        "--scores",
        choices=("before", "after"),
        help=f"record each module's score in {SCORES.relative_to(ROOT)}, as before or after a change of its tests",
    )
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import importlib

    import pytest  # noqa: F401  (imported once here, shared by every forked child)
    import torch  # noqa: F401
    import transformers  # noqa: F401

    report = {}
    for module in args.modules:
        path = Path(importlib.import_module(module).__file__)
        tree = ast.parse(path.read_text())
        sites = mutation_sites(tree)[: args.limit]
        tests = tests_for(module, Path(args.tests))
        started = time.monotonic()
        baseline = run_mutant(module, path, ast.unparse(tree), tests, timeout=1800)
        if baseline != "survived":
            sys.exit(f"{module}: the unmutated tests fail ({baseline}); fix them before mutating")
        timeout = max(60.0, 5 * (time.monotonic() - started))
        outcomes = []
        for index, (node, description) in enumerate(sites):
            outcome = run_mutant(module, path, apply(tree, index), tests, timeout)
            outcomes.append({"line": node.lineno, "change": description, "outcome": outcome})
            if outcome == "survived":
                line = path.read_text().splitlines()[node.lineno - 1].strip()
                print(f"SURVIVED {module}:{node.lineno} {description}   | {line[:90]}", flush=True)
        killed = sum(o["outcome"] != "survived" for o in outcomes)
        print(
            f"{module}: {killed}/{len(outcomes)} killed ({killed / max(len(outcomes), 1):.0%}), "
            f"tests {', '.join(Path(t).name for t in tests)}",
            flush=True,
        )
        report[module] = {"tests": [Path(t).name for t in tests], "mutants": outcomes, "killed": killed}
    total = sum(len(r["mutants"]) for r in report.values())
    killed = sum(r["killed"] for r in report.values())
    print(f"all: {killed}/{total} killed ({killed / max(total, 1):.1%})")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    if args.scores and not args.limit:
        record_scores(report, args.scores)


def record_scores(report: dict, when: str) -> None:
    """Each module's score as `when` ("before" or "after") in SCORES, with the date and its survivors."""
    scores = json.loads(SCORES.read_text()) if SCORES.exists() else {}
    for module, result in report.items():
        survivors = [f"{o['line']}: {o['change']}" for o in result["mutants"] if o["outcome"] == "survived"]
        scores.setdefault(module, {})[when] = {
            "date": time.strftime("%Y-%m-%d"),
            "tests": result["tests"],
            "killed": result["killed"],
            "mutants": len(result["mutants"]),
            "score": round(result["killed"] / max(len(result["mutants"]), 1), 3),
            "survivors": survivors,
        }
    SCORES.write_text(json.dumps(dict(sorted(scores.items())), indent=1) + "\n")


if __name__ == "__main__":
    main()
