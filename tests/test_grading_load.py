"""Grades do not depend on how busy the machine is (issue 12): with two CPU hogs running beside
`grade --jobs 2`, every adversarial case gets its exact score and every lesson's solution full marks.
The time limits count the CPU time a submission used (autograde/execute.py), not wall-clock time.
Slow: a whole adversarial class and the five lessons, on a machine made busy on purpose."""

import contextlib
import csv
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_adversarial import CASES, HONEST, assert_exact_result, grade_the_class, own_uid_sandbox, sandboxed

REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def cpu_hogs(count: int = 2):
    """`count` processes that spin on a CPU each until the block ends."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


@pytest.mark.slow
def test_adversarial_cases_keep_their_exact_scores_under_load(tmp_path):
    with cpu_hogs():
        graded = grade_the_class(tmp_path / "class")
    results = {name: SimpleNamespace(**result) for name, result in graded["results"].items()}
    assert {name: results[name].score for name in HONEST} == HONEST
    for name, (case, _) in CASES.items():
        if (case.needs_sandbox and not sandboxed()) or (case.dangerous and not own_uid_sandbox()):
            continue  # (graded as a harmless stand-in here, as in test_adversarial.py)
        assert_exact_result(name, results[name])


@pytest.mark.slow
def test_every_solution_gets_full_marks_under_load(tmp_path):
    submissions = tmp_path / "submissions"
    solutions = sorted((REPO / "solutions").glob("*/*.ipynb"))
    for notebook in solutions:
        target = submissions / "instructor" / notebook.parent.name / notebook.name
        target.parent.mkdir(parents=True)
        target.write_bytes(notebook.read_bytes())
    with cpu_hogs():
        done = subprocess.run(
            [sys.executable, "-m", "autograde", "grade", str(submissions), "-o", str(tmp_path / "out"), "--jobs", "2"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=3600,
        )
    assert done.returncode == 0, done.stderr
    with (tmp_path / "out" / "summary.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert sorted(row["lesson"] for row in rows) == [notebook.stem for notebook in solutions]
    assert [(row["lesson"], float(row["score"]), row["failure"]) for row in rows] == [
        (row["lesson"], float(row["max_score"]), "") for row in rows
    ]
