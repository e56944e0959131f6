"""The grading commands (`python -m autograde`), on the toy assignment in tests/fixtures/toy/.

The toy lesson has three exercises (2, 1 and 3 points); the solution of the 1-point one writes to
stderr and warns, as correct code with a progress bar would. nbgrader is slow to start (several
seconds a process), so one graded class holds every kind of submission and the tests read its results.
"""

import csv
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograde import grading
from autograde.cli import main
from autograde.errors import AutogradeError
from autograde.execute import OTHER_PATH_REFUSED
from autograde.grading import prepare_grader
from autograde.kernel_uids import FIRST_UID, UID_COUNT, KernelUid
from autograde.lessons import find_lessons
from autograde.limits import Limits
from autograde.one_grading_path import REFUSED
from autograde.paths import CourseDir, StudentNotebook, lesson_notebook
from autograde.reports import mark_missing
from autograde.runner import run_nbgrader
from autograde.sample_class import build_sample_class
from autograde.selfcheck import check_notebook
from autograde.shards import parse_shard

REPO = Path(__file__).resolve().parent.parent
TOY = REPO / "tests" / "fixtures" / "toy"
TOY_SOURCE = lesson_notebook(TOY, "toy")
MAX_POINTS = {"log_sigmoid_tests": 2.0, "mean_tests": 1.0, "kl_bernoulli_tests": 3.0}
WRONG_ANSWER = "return 0.5"  # wrong for every toy exercise


def hidden_test_lines() -> list[str]:
    lines = []
    for cell in nbformat.read(TOY_SOURCE, as_version=4).cells:
        hidden = re.search(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.DOTALL)
        if hidden:
            lines += [line.strip() for line in hidden.group(1).splitlines() if line.strip()]
    assert len(lines) == 9
    return lines


def answered(released: Path, answer: str, prelude: str) -> nbformat.NotebookNode:
    """The released toy notebook with every stub replaced by `answer`, after code `prelude`."""
    notebook = nbformat.read(released, as_version=4)
    for cell in notebook.cells:
        cell.source = cell.source.replace('raise NotImplementedError("exercise not done yet")', answer)
    notebook.cells.insert(2, nbformat.v4.new_code_cell(prelude, id="student_prelude"))
    return notebook


def add_hostile_students(submissions: Path) -> None:
    """Submissions that try to fool the tests, or that nbgrader cannot run, next to the sample class."""
    released = lesson_notebook(submissions / "blank", "toy")
    notebooks = {
        "isclose_cheat": answered(released, WRONG_ANSWER, "import math\nmath.isclose = lambda *a, **k: True"),
        "rebound_checks": answered(released, WRONG_ANSWER, "assert_close = assert_true = lambda *a, **k: None"),
        "float_cheat": answered(
            released,
            "return AlwaysEqual(0.5)",
            (
                "class AlwaysEqual(float):\n"
                "    def __eq__(self, other): return True\n"
                "    def __lt__(self, other): return True\n"
                "    def __le__(self, other): return True\n"
                "    __hash__ = float.__hash__"
            ),
        ),
        "kernel_exit": answered(released, WRONG_ANSWER, "import os\nos._exit(0)"),
        "deleted_test_cell": nbformat.read(TOY_SOURCE, as_version=4),
    }
    notebooks["deleted_test_cell"].cells = [
        cell for cell in notebooks["deleted_test_cell"].cells if cell.get("id") != "log_sigmoid_tests"
    ]
    # A correct notebook whose answer cell says its grade_id is a list: this once stopped the whole
    # class with "TypeError: unhashable type: 'list'" while the submission was rebuilt.
    notebooks["list_grade_id"] = nbformat.read(TOY_SOURCE, as_version=4)
    next(cell for cell in notebooks["list_grade_id"].cells if cell.metadata.get("nbgrader", {}).get("solution"))[
        "metadata"
    ]["nbgrader"]["grade_id"] = ["x"]
    for student, notebook in notebooks.items():
        path = lesson_notebook(submissions / student, "toy")
        path.parent.mkdir(parents=True)
        nbformat.write(notebook, path)
    not_json = lesson_notebook(submissions / "not_json", "toy")
    not_json.parent.mkdir(parents=True)
    not_json.write_text(released.read_text()[:500])


@pytest.fixture(scope="module")
def sample_class(tmp_path_factory) -> tuple[Path, dict[str, float]]:
    submissions = tmp_path_factory.mktemp("class") / "submissions"
    expected = {s.student: s.expected_score for s in build_sample_class(TOY, submissions)}
    add_hostile_students(submissions)
    add_submission_times(submissions)
    return submissions, expected


# Due date of the sample class (`grade --due-date`), and when some of its students handed in, as
# nbgrader's exchange records it (timestamp.txt): full on time, partial_1 late, partial_2 unreadable.
DUE_DATE = "2026-12-02 00:00+09:00"
DUE_DATE_UTC = "2026-12-01 15:00:00"
SUBMITTED_AT = {
    "full": "2026-12-01 14:59:00.000000 UTC",
    "partial_1": "2026-12-01 15:30:00.000000 UTC",
    "partial_2": "not a time",
}


def add_submission_times(submissions: Path) -> None:
    for student, timestamp in SUBMITTED_AT.items():
        (submissions / student / "toy" / "timestamp.txt").write_text(timestamp + "\n")


@pytest.fixture(scope="module")
def class_grading(sample_class, tmp_path_factory):
    """`python -m autograde grade` on the sample class, started in the background as soon as a test
    asks for it, so that the tests in between run meanwhile (nbgrader spends most of its time starting)."""
    submissions, _ = sample_class
    out = tmp_path_factory.mktemp("graded")
    command = [
        sys.executable,
        "-m",
        "autograde",
        "grade",
        str(submissions),
        "-o",
        str(out),
        "--jobs",
        "2",
        "--timeout",
        "300",
        "--source",
        str(TOY),
        "--due-date",
        DUE_DATE,
    ]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    yield out, process
    process.kill()


@pytest.fixture(scope="module")
def graded_class(class_grading) -> tuple[Path, int, str]:
    """OUT, the exit code and stderr of the class grading, once it has finished."""
    out, process = class_grading
    _, stderr = process.communicate(timeout=600)
    return out, process.returncode, stderr


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as file:
        return {row["student_id"]: row for row in csv.DictReader(file)}


def check_json(capsys, notebook: Path) -> dict:
    assert main(["check", str(notebook), "--json", "--source", str(TOY)]) == 0
    output = capsys.readouterr().out
    return json.loads(output)  # exactly one JSON object: anything else makes this fail


def test_sample_class_holds_the_expected_students(sample_class, class_grading):
    _, expected = sample_class  # (and the class grading starts)
    assert expected == {"full": 6.0, "blank": 0.0, "partial_1": 2.0, "partial_2": 3.0}


def test_generate_is_deterministic_and_gives_the_student_version(tmp_path, sample_class):
    submissions, _ = sample_class
    assert main(["generate", "--source", str(TOY), "--course", str(tmp_path)]) == 0
    generated = lesson_notebook(tmp_path / "ja", "toy")  # (the toy lesson has no other edition)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ja"]
    # The sample class's `blank` is an earlier, independent generation of the same source.
    assert generated.read_bytes() == lesson_notebook(submissions / "blank", "toy").read_bytes()
    text = generated.read_text()
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert not any(line in text for line in hidden_test_lines())
    notebook = nbformat.read(generated, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert sum('raise NotImplementedError("exercise not done yet")' in cell.source for cell in code) == 3


def test_check_full_solution_gets_every_point(capsys):
    assert main(["check", str(TOY_SOURCE), "--source", str(TOY)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("(lesson toy, edition ja): 6/6 points")
    # mean_tests calls a solution that writes to stderr and warns: no point lost for that.
    assert [line.split() for line in lines[1:]] == [
        ["log_sigmoid_tests", "2/2"],
        ["mean_tests", "1/1"],
        ["kl_bernoulli_tests", "3/3"],
    ]


NOT_DONE = "NotImplementedError: exercise not done yet"  # the stub's error says what to do


def test_check_blank_scores_zero_in_json(capsys, sample_class):
    submissions, _ = sample_class
    report = check_json(capsys, lesson_notebook(submissions / "blank", "toy"))
    assert set(report) == {"notebook", "edition", "score", "max_score", "exercises"}
    assert (report["score"], report["max_score"]) == (0.0, 6.0)
    assert [set(exercise) for exercise in report["exercises"]] == [{"id", "points", "max_points", "message"}] * 3
    assert {e["id"]: (e["points"], e["max_points"], e["message"]) for e in report["exercises"]} == {
        name: (0.0, points, NOT_DONE) for name, points in MAX_POINTS.items()
    }


def test_check_partial_copy_scores_exactly_its_solved_exercise(capsys, sample_class, tmp_path):
    submissions, expected = sample_class
    renamed = tmp_path / "my copy of the toy.ipynb"  # found by its nbgrader cells, not its name
    shutil.copyfile(lesson_notebook(submissions / "partial_1", "toy"), renamed)
    report = check_json(capsys, renamed)
    assert report["score"] == expected["partial_1"] == 2.0
    assert [(e["id"], e["points"], e["message"]) for e in report["exercises"]] == [
        ("log_sigmoid_tests", 2.0, None),
        ("mean_tests", 0.0, NOT_DONE),
        ("kl_bernoulli_tests", 0.0, NOT_DONE),
    ]
    assert not any(line in json.dumps(report) for line in hidden_test_lines())


@pytest.mark.parametrize(
    "content, problem",
    [
        (None, "no such file"),
        ('{"cells": [', "is not valid JSON"),
        ('{"a": 1}', "is not a Jupyter notebook"),
        (json.dumps(nbformat.v4.new_notebook()), "matches no lesson"),
    ],
)
def test_check_bad_input_is_one_line_error(capsys, tmp_path, content, problem):
    notebook = tmp_path / "homework.ipynb"
    if content is not None:
        notebook.write_text(content)
    assert main(["check", str(notebook), "--source", str(TOY)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and problem in captured.err and "Traceback" not in captured.err


def test_grade_bad_input_is_one_line_error(capsys, tmp_path):
    assert main(["grade", str(tmp_path / "missing"), "-o", str(tmp_path / "out"), "--source", str(TOY)]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "no such folder" in captured.err


@pytest.mark.parametrize("option", ["--jobs", "--memory-mb", "--tree-memory-mb", "--processes"])
def test_grade_limits_must_be_positive(capsys, tmp_path, option):
    assert main(["grade", str(tmp_path), "-o", str(tmp_path / "out"), "--source", str(TOY), option, "0"]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "must be positive" in captured.err


def test_cells_after_the_last_graded_one_run_only_when_asked(tmp_path):
    """Nothing after the last test can change a score, so grading skips it unless asked (`grade
    --all-cells`). This tail kills the kernel: the result shows whether it ran."""
    notebook = nbformat.read(TOY_SOURCE, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import os\nos._exit(1)"))
    path = tmp_path / "toy.ipynb"
    nbformat.write(notebook, path)
    skipped = check_notebook(path, TOY)
    assert (skipped.score, skipped.failure) == (6.0, None)
    ran = check_notebook(path, TOY, Limits(run_ungraded_tail=True))
    assert ran.score == 6.0 and "DeadKernelError" in ran.failure


def test_class_grading_runs_through_broken_submissions(graded_class):
    out, returncode, stderr = graded_class
    assert returncode == 0, stderr
    summary = read_csv(out / "summary.csv")
    assert summary["not_json"]["failure"].startswith("NotJSONError")
    assert "DeadKernelError" in summary["kernel_exit"]["failure"]
    assert "nbgrader metadata that Jupyter does not write (grade_id is a list)" in summary["list_grade_id"]["failure"]
    for student in ("not_json", "kernel_exit", "list_grade_id"):
        assert float(summary[student]["score"]) == 0.0 and float(summary[student]["max_score"]) == 6.0
    assert {student for student, row in summary.items() if row["failure"]} == {
        "not_json",
        "kernel_exit",
        "list_grade_id",
    }


def test_class_grades_csv_has_the_expected_scores(graded_class, sample_class):
    out, _, _ = graded_class
    _, expected = sample_class
    grades = read_csv(out / "grades.csv")
    assert {student: float(row["score"]) for student, row in grades.items()} == {
        **expected,
        "isclose_cheat": 0.0,  # math.isclose patched, wrong answers
        "float_cheat": 0.0,  # a float whose comparisons always say True
        "rebound_checks": 0.0,  # assert_close rebound to a no-op: the hidden tests import it again
        "deleted_test_cell": 6.0,  # the deleted test cell was put back and passed
        "kernel_exit": 0.0,
        "not_json": 0.0,
        "list_grade_id": 0.0,
    }
    assert {float(row["max_score"]) for row in grades.values()} == {6.0}
    # Every student handed in the toy lesson (a missing one would say so); the formgrader's names are the ids.
    assert {row["submission"] for row in grades.values()} == {"graded"}
    assert all((row["last_name"], row["first_name"]) == (student, "") for student, row in grades.items())


def test_submission_times_reach_the_gradebook_and_grades_csv_with_a_late_flag(graded_class):
    """timestamp.txt (nbgrader's exchange writes it) against the due date of `grade --due-date`: a late
    submission is flagged, one without a readable time is graded all the same (its lateness unknown)."""
    out, _, _ = graded_class
    grades = read_csv(out / "grades.csv")
    assert {row["duedate"] for row in grades.values()} == {DUE_DATE_UTC}
    assert {student: (row["timestamp"], row["late"]) for student, row in grades.items() if row["timestamp"]} == {
        "full": ("2026-12-01 14:59:00", "no"),
        "partial_1": ("2026-12-01 15:30:00", "yes"),
    }
    assert grades["partial_2"]["late"] == "" and float(grades["partial_2"]["score"]) == 3.0
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission("toy", "partial_1").total_seconds_late == 30 * 60
        assert gradebook.find_submission("toy", "blank").timestamp is None


def test_deleted_test_cell_is_graded_from_the_source(graded_class):
    out, _, _ = graded_class
    autograded = nbformat.read(StudentNotebook(out, "deleted_test_cell", "toy").autograded, as_version=4)
    restored = [
        cell for cell in autograded.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == "log_sigmoid_tests"
    ]
    assert len(restored) == 1 and "BEGIN HIDDEN TESTS" in restored[0].source


def test_feedback_shows_errors_but_no_hidden_tests(graded_class):
    out, _, _ = graded_class
    feedback = sorted((out / "feedback").glob("*/toy/toy.html"))
    # Every student whose notebook ran gets feedback (also when its kernel died on the way).
    assert {path.parts[-3] for path in feedback} == {
        "full",
        "blank",
        "partial_1",
        "partial_2",
        "isclose_cheat",
        "float_cheat",
        "rebound_checks",
        "deleted_test_cell",
        "kernel_exit",
    }  # (not_json and list_grade_id never ran)
    for path in feedback:
        text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))  # as a reader sees it
        assert 'assert_close(log_sigmoid(0.0), -0.6931471805599453, what="log_sigmoid(0.0)")' in text
        assert not [line for line in hidden_test_lines() if line in text], path
        assert "---->" not in text and "Cell In[" not in text  # no traceback (it would quote hidden lines)
    cheat = html.unescape(re.sub(r"<[^>]+>", "", StudentNotebook(out, "float_cheat", "toy").feedback.read_text()))
    assert "AssertionError: log_sigmoid(0.0): expected a plain float or a torch.Tensor, got AlwaysEqual" in cheat


def test_a_grader_fault_on_one_submission_is_that_students_0(graded_class, sample_class, tmp_path, monkeypatch):
    """An exception of the grader's own (here: reading the notebook) becomes the student's 0 with a
    one-line reason; the traceback goes to the log, and the gradebook holds the 0."""
    out, _, _ = graded_class
    submissions, _ = sample_class
    course_root = tmp_path / "course"
    shutil.copytree(out, course_root, ignore=shutil.ignore_patterns("feedback", "autograded"))
    course = CourseDir(course_root, TOY, submissions / "blank")
    (tmp_path / "scratch").mkdir()
    grader = prepare_grader(course, Limits(), tmp_path / "scratch", [], warn=False)

    def broken_reader(path, max_mb):
        raise RuntimeError("a fault of the grader's\nsecond line")

    monkeypatch.setattr(grading, "read_submission", broken_reader)
    lesson = find_lessons(TOY)[0]
    result, log = grading.grade_submission(grader, lesson, "full")
    assert (result.score, result.max_score) == (0.0, 6.0)
    assert result.failure == (
        "the grader failed on this notebook (RuntimeError: a fault of the grader's); the traceback is in its log"
    )
    assert "Traceback (most recent call last)" in log and "broken_reader" in log
    with Gradebook(course.gradebook_url) as gradebook:
        assert gradebook.find_submission("toy", "full").score == 0.0


def test_grades_csv_tells_a_missing_submission_from_a_real_0(tmp_path):
    grades = tmp_path / "grades.csv"
    grades.write_text(
        "assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,"
        "late_submission_penalty,score,max_score\n"
        "toy,,,ann,ann,,,0.0,0.0,0.0,6.0\n"
        "toy,,,bob,bob,,,0.0,0.0,0.0,6.0\n"
        "other,,,ann,ann,,,0.0,0.0,0.0,4.0\n"
    )
    mark_missing(grades, {("ann", "toy"), ("bob", "toy")})
    rows = {(row["student_id"], row["assignment"]): row for row in csv.DictReader(grades.open(newline=""))}
    assert {key: (row["submission"], row["score"]) for key, row in rows.items()} == {
        ("ann", "toy"): ("graded", "0.0"),
        ("bob", "toy"): ("graded", "0.0"),
        ("ann", "other"): ("missing", ""),
    }


def test_kernel_uids_are_no_account_and_not_shared_between_graders(tmp_path):
    with KernelUid(tmp_path) as first, KernelUid(tmp_path) as second:
        assert first != second and all(FIRST_UID <= uid < FIRST_UID + UID_COUNT for uid in (first, second))
    # Another grader (another process) holds the first uid of a two-uid range: this one takes the second.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import fcntl, sys, time\n"
                f"file = open({str(tmp_path / str(FIRST_UID))!r}, 'w')\n"
                "fcntl.flock(file, fcntl.LOCK_EX)\n"
                "print('held', flush=True)\n"
                "time.sleep(60)"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "held\n"
        for _ in range(5):  # (wherever in the range it starts)
            with KernelUid(tmp_path, first=FIRST_UID, count=2) as uid:
                assert uid == FIRST_UID + 1
    finally:
        holder.kill()
        holder.wait()
    # uid 0 is an account (root): never handed out.
    with pytest.raises(RuntimeError, match="no free kernel uid"):
        KernelUid(tmp_path, first=0, count=1).__enter__()


def test_nbgrader_autograde_outside_the_pipeline_refuses_with_a_pointer(graded_class):
    """The formgrader's Autograde button (nbgrader's API) and a plain `nbgrader autograde` run
    nbgrader with this course's configuration but not through autograde/grading.py: they refuse, with
    the reason on the first line of their log, before nbgrader removes anything (it used to delete the
    student's autograded folder first, leaving "needs autograding" and no score)."""
    out, _, _ = graded_class
    autograded = StudentNotebook(out, "full", "toy").autograded
    before = (autograded.read_bytes(), sorted(autograded.parent.iterdir()), gradebook_score(out, "full"))
    course = CourseDir(out, TOY, out / "release")
    plain = run_nbgrader(course, "autograde", "toy", "--student=full", "--force")
    assert not plain.ok and REFUSED in plain.log.splitlines()[0] and OTHER_PATH_REFUSED in plain.log
    assert "Removing" not in plain.log
    api = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import json, sys\n"
                "from traitlets.config import Config\n"
                "from nbgrader.apps import NbGraderAPI\n"
                "from nbgrader.coursedir import CourseDirectory\n"
                "from autograde.runner import CONFIG_FILE\n"
                "config = Config()\n"
                "path = str(CONFIG_FILE) + '.py'\n"
                "exec(compile(open(path).read(), path, 'exec'), {'get_config': lambda: config, '__file__': path})\n"
                f"config.CourseDirectory.root = {str(out)!r}\n"
                f"config.CourseDirectory.source_directory = {str(TOY)!r}\n"
                "api = NbGraderAPI(CourseDirectory(config=config), config=config)\n"
                "print(json.dumps(api.autograde('toy', 'full', force=True)))"
            ),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    answer = json.loads(api.stdout.strip().splitlines()[-1])
    assert answer["success"] is False and answer["log"].splitlines()[:2] == [
        f"[ERROR] {REFUSED}",
        f"[ERROR] {OTHER_PATH_REFUSED}",
    ]
    assert "Removing" not in answer["log"]
    assert (autograded.read_bytes(), sorted(autograded.parent.iterdir()), gradebook_score(out, "full")) == before
    assert before[2] == 6.0


def gradebook_score(out: Path, student: str) -> float:
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        return gradebook.find_submission("toy", student).score


def test_shards_are_a_partition_of_the_students():
    students = [f"student{n}" for n in range(10)]
    shards = [parse_shard(f"{index}/3").students(students) for index in (1, 2, 3)]
    assert sorted(sum(shards, [])) == sorted(students) and [len(shard) for shard in shards] == [4, 3, 3]
    for bad in ("0/3", "4/3", "1", "a/b", "1/0"):
        with pytest.raises(AutogradeError, match="expected I/N"):
            parse_shard(bad)


def gradebook_contents(out: Path) -> dict:
    """Every student's names and every grade's scores in OUT's gradebook."""
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        return {
            "students": {(s.id, s.last_name, s.first_name) for s in gradebook.students},
            "grades": {
                (submission.student.id, assignment.name, grade.name): (grade.auto_score, grade.manual_score)
                for assignment in gradebook.assignments
                for submission in assignment.submissions
                for notebook in submission.notebooks
                for grade in notebook.grades
            },
        }


def without_prompts(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: re.sub(rb"In \[\d*\]", b"In [ ]", text) for name, text in files.items()}


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.slow
def test_three_shards_merged_are_the_unsharded_grading(graded_class, sample_class, tmp_path):
    """`grade --shard I/3` three times and `merge`: the gradebook, summary.csv (but for the times), grades.csv
    and the feedback of the class graded in one run."""
    out, _, _ = graded_class
    submissions, _ = sample_class
    shards = [tmp_path / f"shard_{index}" for index in (1, 2, 3)]
    for index, shard in enumerate(shards, 1):
        options = [
            "--jobs",
            "2",
            "--timeout",
            "300",
            "--source",
            str(TOY),
            "--due-date",
            DUE_DATE,
            "--shard",
            f"{index}/3",
        ]
        assert main(["grade", str(submissions), "-o", str(shard), *options]) == 0
    assert main(["merge", *map(str, shards), "-o", str(tmp_path / "merged"), "--source", str(TOY)]) == 0
    merged = tmp_path / "merged"
    graded = [set(read_csv(shard / "summary.csv")) for shard in shards]
    assert all(graded) and sum(map(len, graded)) == len(set().union(*graded)) == len(read_csv(out / "summary.csv"))

    def summary(folder):  # (times and memory differ from run to run)
        with (folder / "summary.csv").open(newline="") as file:
            fields = ("student_id", "lesson", "score", "max_score", "failure")
            return [tuple(row[field] for field in fields) for row in csv.DictReader(file)]

    assert summary(merged) == summary(out)
    assert (merged / "grades.csv").read_bytes() == (out / "grades.csv").read_bytes()
    assert gradebook_contents(merged) == gradebook_contents(out)
    # (A dying kernel may or may not have announced its cell's execution count: "In [2]" or "In [ ]".)
    assert without_prompts(files_of(merged / "feedback")) == without_prompts(files_of(out / "feedback"))
    assert files_of(merged / "submitted") == files_of(out / "submitted")
    assert set(files_of(merged / "autograded")) == set(files_of(out / "autograded"))
