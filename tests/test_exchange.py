"""nbgrader's exchange for a JupyterHub class, end to end on one machine: the instructor releases,
two students (each with a HOME of their own) fetch and submit, the instructor collects, grades with
`python -m autograde grade` and returns the feedback, which each student fetches."""

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader import utils

from autograde import exchange
from autograde.errors import AutogradeError
from autograde.exchange import HOW_TO_SET_UP, init_exchange
from autograde.jupyter.assignment_list import NO_EXCHANGE, AssignmentListOrExplain

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "fixtures" / "toy"


def autograde(*arguments: str) -> str:
    run = subprocess.run([sys.executable, "-m", "autograde", *arguments], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return run.stdout


def as_student(home: Path, settings: Path, *arguments: str) -> None:
    """An nbgrader command run by a student: their own HOME (and nbgrader cache), in their home folder,
    with the Jupyter configuration that `exchange init` wrote."""
    environment = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_PATH": str(settings.parent)}
    run = subprocess.run(
        [sys.executable, "-m", "nbgrader", *arguments],
        cwd=home,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def solve_first_exercise(path: Path) -> None:
    source = nbformat.read(TOY / "toy" / "toy.ipynb", as_version=4)
    answers = {cell.metadata.nbgrader.grade_id: cell.source for cell in source.cells if utils.is_solution(cell)}
    notebook = nbformat.read(path, as_version=4)
    first = next(cell for cell in notebook.cells if utils.is_solution(cell))
    first.source = answers[first.metadata.nbgrader.grade_id]
    nbformat.write(notebook, path)


@pytest.mark.slow
def test_release_fetch_submit_collect_grade_and_return_feedback(tmp_path):
    settings = tmp_path / "jupyter" / "nbgrader_config.json"
    lesson = ["toy", "--source", str(TOY), "--course-dir", str(tmp_path / "instructor"), "--settings", str(settings)]
    autograde("exchange", "init", "--root", str(tmp_path / "exchange"), "--course", "rlhf", "--settings", str(settings))
    autograde("exchange", "release", *lesson)

    students = {"alice": 2.0, "bob": 0.0}  # alice solves the 2-point first exercise, bob hands in the stub
    for student in students:
        home = tmp_path / "home" / student
        home.mkdir(parents=True)
        as_student(home, settings, "fetch_assignment", "toy")
        if students[student]:
            solve_first_exercise(home / "toy" / "toy.ipynb")
        # (--student: on a JupyterHub each student is a user of their own, and nbgrader takes the login name)
        as_student(home, settings, "submit", "toy", f"--student={student}")

    autograde("exchange", "collect", *lesson)
    instructor = tmp_path / "instructor"
    assert sorted(path.name for path in (instructor / "submitted").iterdir()) == sorted(students)
    # A due date an hour ago: the submissions above, made just now, are late. (Their times come from the
    # timestamp.txt that nbgrader's submit wrote and collect copied.)
    due = time.strftime("%Y-%m-%d %H:%M:%S+00:00", time.gmtime(time.time() - 3600))
    autograde("grade", str(instructor / "submitted"), "-o", str(instructor), "--source", str(TOY), "--due-date", due)
    with (instructor / "grades.csv").open() as file:
        rows = {row["student_id"]: row for row in csv.DictReader(file)}
    assert {student: float(row["score"]) for student, row in rows.items()} == students
    for row in rows.values():
        assert row["late"] == "yes" and row["timestamp"] > row["duedate"] == due[:19], row
    autograde("exchange", "feedback", *lesson)

    for student, score in students.items():
        home = tmp_path / "home" / student
        as_student(home, settings, "fetch_feedback", "toy", f"--student={student}")
        [page] = (home / "toy" / "feedback").glob("*/toy.html")
        html = page.read_text()
        assert f"toy (Score: {score} / 6.0)" in html, f"{student} got their own feedback"
        assert "static/jupyter_server_mathjax/MathJax.js" in html and "cdnjs" not in html, "math offline"


def assignment_list(root_dir: Path) -> AssignmentListOrExplain:
    """The Assignment List's backend as our server extension installs it, for a Jupyter started in root_dir."""
    manager = AssignmentListOrExplain()
    manager.root_dir = str(root_dir)
    return manager


def test_with_no_exchange_the_assignment_list_says_how_to_set_one_up(tmp_path, monkeypatch):
    if exchange.SETTINGS.is_file():
        pytest.skip(f"this environment has an exchange set up ({exchange.SETTINGS})")
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path / "jupyter"))  # nothing there either
    manager = assignment_list(tmp_path)
    # The course menu shows NO_EXCHANGE (nbgrader's page says "Error fetching courses!" when this fails),
    # and its assignment lists show the how-to text.
    assert manager.list_courses() == {"success": True, "value": [NO_EXCHANGE]}
    assert manager.list_assignments(course_id=NO_EXCHANGE) == {"success": False, "value": HOW_TO_SET_UP}
    assert "python -m autograde exchange init" in HOW_TO_SET_UP


def test_a_configured_exchange_lists_its_released_assignments(tmp_path, monkeypatch):
    settings = tmp_path / "jupyter" / "nbgrader_config.json"
    init_exchange(tmp_path / "exchange", "rlhf", settings)
    (tmp_path / "exchange" / "rlhf" / "outbound" / "lesson").mkdir(parents=True)
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(settings.parent))
    manager = assignment_list(tmp_path)
    assert manager.list_courses() == {"success": True, "value": ["rlhf"]}
    listed = manager.list_assignments(course_id="rlhf")
    assert listed["success"], listed["value"]
    assert [(entry["course_id"], entry["assignment_id"], entry["status"]) for entry in listed["value"]] == [
        ("rlhf", "lesson", "released")
    ]


@pytest.mark.parametrize("course_id", ["", "a+b", "a/b"])
def test_init_refuses_a_course_id_nbgrader_cannot_use(tmp_path, course_id):
    with pytest.raises(AutogradeError, match="course id"):
        init_exchange(tmp_path / "exchange", course_id, tmp_path / "nbgrader_config.json")
