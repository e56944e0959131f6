"""Grades do not depend on how busy the machine is (issue 12): with two CPU hogs running beside
`grade --jobs 2`, every lesson's solution gets full marks. The time limits count the CPU time a
submission used (autograde/execute.py), not wall-clock time. (The complete suite grades the whole
adversarial class beside the same hogs, once: tests/test_adversarial.py, whose every case then keeps its
exact score under load.) Slow: the lessons, on a machine made busy on purpose."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from test_adversarial import HOGS, cpu_hogs

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_every_solution_gets_full_marks_under_load(tmp_path):
    submissions = tmp_path / "submissions"
    solutions = sorted((REPO / "solutions").glob("*/*.ipynb"))
    for notebook in solutions:
        target = submissions / "instructor" / notebook.parent.name / notebook.name
        target.parent.mkdir(parents=True)
        target.write_bytes(notebook.read_bytes())
    with cpu_hogs(HOGS):
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
