"""Fuzzing the grader's preparation and scoring of a submission with mangled real lesson notebooks
(tests/notebook_fuzzer.py), without a kernel: every case must be either refused with a one-line
reason or rebuilt into a valid notebook that holds every graded cell of the source, as the source
has it, and that scores without error. A class run then puts fuzz-found cases between honest students.
"""

import csv
import json
import subprocess
import sys
import traceback
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode
from notebook_fuzzer import Case, cases

from autograde.paths import lesson_notebook
from autograde.submission import SubmissionError, read_submission, rebuild
from autograde.verdict import graded_cells, judge

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
LESSONS = sorted(path.name for path in SOLUTIONS.iterdir() if lesson_notebook(SOLUTIONS, path.name).is_file())
CASES = 1200
GRADING_KEYS = ("grade_id", "points", "solution", "grade", "locked", "task", "schema_version")


def lesson_files(lesson: str) -> tuple[Path, Path]:
    """(source, released) notebooks of a lesson."""
    return lesson_notebook(SOLUTIONS, lesson), lesson_notebook(REPO / "course" / "ja", lesson)


@pytest.fixture(scope="module")
def lessons() -> dict[str, tuple[NotebookNode, NotebookNode]]:
    return {lesson: tuple(nbformat.read(path, as_version=4) for path in lesson_files(lesson)) for lesson in LESSONS}


def base_notebooks() -> dict[str, list[dict]]:
    """What the cases start from: each lesson's student version and its solution, as JSON."""
    return {lesson: [json.loads(path.read_text()) for path in reversed(lesson_files(lesson))] for lesson in LESSONS}


def prepare_and_score(case: Case, path: Path, source: NotebookNode, released: NotebookNode) -> str:
    """What grading does with the case before and after the kernel; 'refused: ...' or 'rebuilt'.
    Raises AssertionError when a property does not hold (and whatever the grader raised)."""
    path.write_bytes(case.data)
    try:
        submitted = read_submission(path, max_mb=20)
    except SubmissionError as error:
        reason = str(error)
        assert reason.strip() and "\n" not in reason and len(reason) < 600, reason
        return f"refused: {reason}"
    runnable = rebuild(submitted, source, released)
    text = nbformat.writes(runnable)  # as grading writes it for nbgrader
    text.encode("utf-8")
    written = nbformat.reads(text, as_version=4)
    nbformat.validate(written)
    assert written.metadata.get("kernelspec") == source.metadata.get("kernelspec")
    source_ids = {
        cell.metadata["nbgrader"]["grade_id"]: cell
        for cell in source.cells
        if "grade_id" in cell.metadata.get("nbgrader", {})
    }
    for cell in written.cells:
        nbgrader = cell.metadata.get("nbgrader")
        if nbgrader is not None:  # only the source's metadata (or the released stub's), never the submission's
            original = source_ids[nbgrader["grade_id"]].metadata["nbgrader"]
            assert {key: nbgrader.get(key) for key in GRADING_KEYS} == {key: original.get(key) for key in GRADING_KEYS}
    for test in graded_cells(source):
        copies = [
            cell
            for cell in written.cells
            if cell.metadata.get("nbgrader", {}).get("grade_id") == test.metadata["nbgrader"]["grade_id"]
        ]
        assert len(copies) == 1 and copies[0].source == test.source and copies[0].cell_type == "code"
    if b"BEGIN SOLUTION" not in case.data.replace(b"\x00", b"") and "BEGIN SOLUTION" not in str(submitted):
        assert "BEGIN SOLUTION" not in text, "a solution of the source reached the graded notebook"
    # Scoring: as if every cell had run and printed nothing (no check records: the tests fail).
    for cell in written.cells:
        if cell.cell_type == "code":
            cell.execution_count = 1
    verdicts = judge(source, written)
    assert [(v.id, v.max_points) for v in verdicts] == [
        (t.metadata["nbgrader"]["grade_id"], float(t.metadata["nbgrader"]["points"])) for t in graded_cells(source)
    ]
    assert all(v.points in (0.0, v.max_points) for v in verdicts)
    return "rebuilt"


def test_fuzzed_lesson_notebooks_are_refused_or_rebuilt_whole(lessons, tmp_path):
    outcomes, faults = Counter(), []
    for case in cases(base_notebooks(), CASES):
        source, released = lessons[case.lesson]
        try:
            outcome = prepare_and_score(case, tmp_path / f"{case.lesson}.ipynb", source, released)
            outcomes[outcome.split(":")[0]] += 1
        except Exception:
            faults.append(f"seed {case.seed} {case.lesson} {'+'.join(case.mutations)}:\n{traceback.format_exc()}")
    print(f"{CASES} cases: {dict(outcomes)}")
    assert not faults, f"{len(faults)} faults; first:\n{faults[0]}"
    # The cases reach the rebuild and the scoring, not only the refusals.
    assert outcomes["rebuilt"] >= CASES // 5 and sum(outcomes.values()) == CASES


def fuzz_found_cases(lesson: str, count: int, tmp_path: Path, lessons) -> list[Case]:
    """The first `count` cases of `lesson` that the preparation refuses, each for a different reason."""
    found, reasons = [], set()
    for case in cases({lesson: base_notebooks()[lesson]}, 2000):
        outcome = prepare_and_score(case, tmp_path / f"{lesson}.ipynb", *lessons[lesson])
        reason = "".join(c for c in outcome if not c.isdigit())[:100]
        if outcome.startswith("refused") and reason not in reasons:
            reasons.add(reason)
            found.append(case)
            if len(found) == count:
                return found
    raise AssertionError(f"only {len(found)} different refusals")


@pytest.mark.slow
def test_class_with_fuzz_found_cases_between_honest_students(lessons, tmp_path):
    """A dozen broken notebooks in a class of lesson 3 (the quickest to run): each is a 0 with its
    reason, the honest students keep their grades, and the class gets every output."""
    lesson = "03_dpo_derivation"
    source_path, released_path = lesson_files(lesson)
    broken = fuzz_found_cases(lesson, 12, tmp_path, lessons)
    submissions = tmp_path / "submissions"
    students = {"s00_honest_full": source_path.read_bytes(), "s07_honest_blank": released_path.read_bytes()}
    students |= {
        f"s{index + 1 if index < 6 else index + 2:02d}_fuzz_seed_{case.seed}": case.data
        for index, case in enumerate(broken)
    }
    for student, data in students.items():
        path = lesson_notebook(submissions / student, lesson)
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
    out = tmp_path / "out"
    finished = subprocess.run(
        [sys.executable, "-m", "autograde", "grade", str(submissions), "-o", str(out), "--jobs", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert finished.returncode == 0, finished.stderr
    with (out / "summary.csv").open(newline="") as file:
        summary = {row["student_id"]: row for row in csv.DictReader(file)}
    max_score = sum(float(cell.metadata["nbgrader"]["points"]) for cell in graded_cells(lessons[lesson][0]))
    assert set(summary) == set(students)
    assert (float(summary["s00_honest_full"]["score"]), summary["s00_honest_full"]["failure"]) == (max_score, "")
    assert (float(summary["s07_honest_blank"]["score"]), summary["s07_honest_blank"]["failure"]) == (0.0, "")
    for student in students:
        if "fuzz" in student:
            row = summary[student]
            assert float(row["score"]) == 0.0 and float(row["max_score"]) == max_score
            assert row["failure"] and "the grader failed" not in row["failure"], row
    with (out / "grades.csv").open(newline="") as file:
        grades = {row["student_id"]: float(row["score"]) for row in csv.DictReader(file)}
    assert grades == {student: float(row["score"]) for student, row in summary.items()}
    assert {path.parts[-3] for path in (out / "feedback").glob(f"*/{lesson}/{lesson}.html")} == {
        "s00_honest_full",
        "s07_honest_blank",
    }
