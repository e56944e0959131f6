"""`python -m autograde similarity`: a sample class of lesson 6 whose answers are a verbatim copy of the
kit (other names, comments and layout), two students with the same answer, honest distinct answers and
untouched stubs. Only the copy and the pair are reported."""

import csv
import inspect
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import nbformat
import pytest
from nbgrader import utils

from autograde.lessons import find_lessons
from autograde.paths import StudentNotebook, lesson_notebook
from autograde.similarity import REPORT_CSV, REPORT_TEXT, _stubs, similarity_report, write_report
from rlhf_lab.policy_gradient import leave_one_out_advantages

ROOT = Path(__file__).resolve().parent.parent
LESSON = "06_rlhf_loop"


def copied_from_the_kit() -> str:
    """The kit's function with every variable renamed (as an editor renames them: not inside strings),
    its docstring and comments rewritten, and its layout changed."""
    text = inspect.getsource(leave_one_out_advantages).replace(") / (", ")/(")
    text = text.replace("    grouped =", "    # one row per prompt\n    grouped =") + "\n# done\n"
    renamed = {"rewards": "r", "k": "n", "grouped": "table", "baselines": "others_mean"}
    tokens = [
        (token.type, renamed.get(token.string, token.string) if token.type == tokenize.NAME else token.string)
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
    ]
    text = tokenize.untokenize(tokens).replace("k={k}", "k={n}").replace("{rewards.", "{r.")  # (in the f-string)
    return re.sub(r'"""(.|\n)*?"""', '"""My own leave-one-out baseline."""', text, count=1)


TWIN = """
def clipped_surrogate_loss(logprobs, old_logprobs, advantages, mask, clip_epsilon=0.2):
    rho = (logprobs - old_logprobs.detach()).exp()
    a = advantages.detach()[:, None]
    kept = torch.minimum(rho * a, rho.clamp(1 - clip_epsilon, 1 + clip_epsilon) * a)
    return -(kept * mask).sum() / mask.sum()
"""
TWIN_RETYPED = """
def clipped_surrogate_loss(lp, old, adv, m, eps=0.2):
    # ratio of the new policy to the old one
    ratio = (lp - old.detach()).exp()
    A = adv.detach()[:, None]
    kept = torch.minimum(ratio * A, ratio.clamp(1 - eps, 1 + eps) * A)
    return -(kept * m).sum() / m.sum()  # mean over answer tokens
"""
HONEST = {
    "leave_one_out_advantages": """
def leave_one_out_advantages(rewards, k):
    out = torch.empty_like(rewards)
    for start in range(0, len(rewards), k):
        block = rewards[start:start + k]
        out[start:start + k] = block - (block.sum() - block) / (k - 1)
    return out
""",
    "clipped_surrogate_loss": """
def clipped_surrogate_loss(logprobs, old_logprobs, advantages, mask, clip_epsilon=0.2):
    ratio = torch.exp(logprobs - old_logprobs.detach())
    weighted = advantages.detach().unsqueeze(1)
    surrogate = torch.where(weighted > 0, torch.minimum(ratio, torch.tensor(1 + clip_epsilon)),
                            torch.maximum(ratio, torch.tensor(1 - clip_epsilon))) * weighted
    mask = mask.float()
    return -(surrogate * mask).sum() / mask.sum()
""",
}
STUDENTS = {
    "copier": {"leave_one_out_advantages": copied_from_the_kit()},
    "twin_a": {"clipped_surrogate_loss": TWIN},
    "twin_b": {"clipped_surrogate_loss": TWIN_RETYPED},
    "honest": HONEST,
    "blank": {},
}


@pytest.fixture(scope="module")
def sample_class(tmp_path_factory) -> Path:
    """A graded class's course directory layout: OUT/submitted/<student>/06_rlhf_loop/06_rlhf_loop.ipynb."""
    out = tmp_path_factory.mktemp("class")
    released = _stubs(nbformat.read(lesson_notebook(ROOT / "solutions", LESSON), as_version=4))
    for student, answers in STUDENTS.items():
        notebook = nbformat.from_dict(released)
        for cell in notebook.cells:
            if utils.is_solution(cell) and cell.metadata["nbgrader"]["grade_id"] in answers:
                cell.source = answers[cell.metadata["nbgrader"]["grade_id"]]
        path = StudentNotebook(out, student, LESSON).submitted
        path.parent.mkdir(parents=True)
        nbformat.write(notebook, path)
    (out / "submitted" / "broken" / LESSON).mkdir(parents=True)
    (out / "submitted" / "broken" / LESSON / f"{LESSON}.ipynb").write_text("{not json")
    return out


def test_a_kit_copy_and_two_identical_students_are_reported_and_nothing_else(sample_class):
    lessons = [lesson for lesson in find_lessons(ROOT / "solutions") if lesson.id == LESSON]
    matches, unread, out = similarity_report(sample_class, lessons)
    found = {(m.answer, m.student, m.kind, m.same_as, m.function) for m in matches}
    assert found == {
        (
            "leave_one_out_advantages",
            "copier",
            "kit",
            "rlhf_lab.policy_gradient.leave_one_out_advantages",
            "leave_one_out_advantages",
        ),
        ("clipped_surrogate_loss", "twin_a", "students", "twin_b", ""),
        ("clipped_surrogate_loss", "twin_b", "students", "twin_a", ""),
    }
    assert out == sample_class and list(unread) == [f"broken/{LESSON}"] and "NotJSONError" in unread[f"broken/{LESSON}"]
    text = write_report(matches, unread, out)
    assert (
        "copier: function leave_one_out_advantages is the kit's rlhf_lab.policy_gradient.leave_one_out_advantages"
        in text
    )
    with (out / REPORT_CSV).open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert {(row["student"], row["identical_to"]) for row in rows} == {
        ("copier", "kit"),
        ("twin_a", "students"),
        ("twin_b", "students"),
    }
    assert all(int(row["size"]) > 20 for row in rows)


def similarity_command(folder: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "autograde", "similarity", str(folder)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_command_reads_a_folder_of_submissions_too(sample_class):
    """Given submitted/ itself, the report goes next to it; the text is printed."""
    process = similarity_command(sample_class / "submitted")
    assert process.returncode == 0, process.stderr
    assert "twin_a: the same answer as twin_b" in process.stdout
    assert (sample_class / REPORT_TEXT).read_text() in process.stdout


def test_a_missing_folder_is_a_one_line_error(tmp_path):
    process = similarity_command(tmp_path / "nowhere")
    assert process.returncode == 1 and process.stderr.count("\n") == 1 and "no such folder" in process.stderr
