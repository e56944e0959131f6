"""`python -m autograde similarity CLASS`: answers identical to the course kit's code or to each other.

A report for the instructor to read, not a grade. A test cannot tell a copy of the kit's text from
honest work (both are right), nor two students who share one answer; plagiarism checkers such as MOSS
compare the texts instead, and so does this, per exercise (answer cell), after normalising away what
a copy changes for free: comments, docstrings, type annotations, formatting, quoting, and every name
the answer binds or uses (renamed in order of appearance: `v0`, `v1`, ...; attribute names and keyword
arguments stay, they are the libraries' API). Two answers are reported when their normalised syntax
trees are equal:
- a function of a student's answer cell equal to the kit's function of that exercise
  (autograde/kit_exercises.py), e.g. rlhf_lab.policy_gradient.leave_one_out_advantages with other
  variable names and comments;
- an answer cell equal to another student's (groups of two or more).
Answers still holding the released stub are left out. A short answer (its size, in syntax-tree nodes,
is in the report) can be equal by chance: `return reward_score - beta * (policy_logprob - sft_logprob)`
is what most students write.

CLASS is a graded class's course directory (the -o of `grade`, which holds submitted/) or a folder of
submissions (<student>/<lesson>/<lesson>.ipynb). The report goes to similarity.csv and similarity.txt
in the course directory (for a folder of submissions, next to it), and the text to the screen.
"""

import ast
import copy
import csv
import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearSolutions
from traitlets.config.loader import PyFileConfigLoader

from autograde.kit_exercises import KIT_FUNCTIONS
from autograde.kit_watch import kit_function
from autograde.lessons import Lesson, read_notebook
from autograde.limits import Limits
from autograde.submission import SubmissionError, read_submission

REPORT_CSV, REPORT_TEXT = "similarity.csv", "similarity.txt"


@dataclass(frozen=True)
class Match:
    lesson: str
    answer: str  # the answer cell's grade_id
    student: str
    kind: str  # "kit" or "students"
    same_as: str  # the kit function, or the other students (space-separated)
    function: str  # the student's function equal to the kit's ("" for a whole answer cell)
    size: int  # syntax-tree nodes of the normalised answer


class _Canonical(ast.NodeTransformer):
    """Names renamed in order of appearance; docstrings and annotations dropped."""

    def __init__(self):
        self.names: dict[str, str] = {}

    def rename(self, name: str) -> str:
        return self.names.setdefault(name, f"v{len(self.names)}")

    def _body_without_docstring(self, node):
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            if isinstance(body[0].value.value, str):
                body = body[1:] or [ast.Pass()]
        node.body = body
        return node

    def visit_Module(self, node):
        return self.generic_visit(self._body_without_docstring(node))

    def _definition(self, node):
        node.name = self.rename(node.name)
        if not isinstance(node, ast.ClassDef):
            node.returns = None
        return self.generic_visit(self._body_without_docstring(node))

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _definition

    def visit_arg(self, node):
        node.arg, node.annotation = self.rename(node.arg), None
        return node

    def visit_Name(self, node):
        node.id = self.rename(node.id)
        return node

    def visit_alias(self, node):
        node.asname = self.rename(node.asname or node.name.partition(".")[0])
        return node

    def visit_AnnAssign(self, node):
        node = self.generic_visit(node)
        return ast.Assign(targets=[node.target], value=node.value) if node.value is not None else ast.Pass()

    def visit_ExceptHandler(self, node):
        if node.name:
            node.name = self.rename(node.name)
        return self.generic_visit(node)

    def visit_Global(self, node):
        node.names = [self.rename(name) for name in node.names]
        return node

    visit_Nonlocal = visit_Global


def _parse(code: str) -> ast.Module | None:
    """The Python of an answer cell (IPython's magic and shell lines left out), or None."""
    lines = [line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def normalised(tree: ast.AST) -> tuple[str, int]:
    """The canonical text of a syntax tree, and its size in nodes."""
    tree = _Canonical().visit(tree)
    return ast.dump(tree, annotate_fields=False), sum(1 for _ in ast.walk(tree))


def functions_of(tree: ast.Module) -> dict[str, tuple[str, int]]:
    """Each top-level function of an answer, normalised on its own."""
    return {
        node.name: normalised(ast.Module(body=[node], type_ignores=[]))
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def kit_forms(dotted_names) -> dict[str, str]:
    """The normalised text of each kit function, by its dotted name."""
    forms = {}
    for dotted in dotted_names:
        tree = ast.parse(textwrap.dedent(inspect.getsource(kit_function(dotted))))
        forms[dotted] = normalised(tree)[0]
    return forms


def _stubs(source: NotebookNode) -> NotebookNode:
    """The lesson as released: answers stubbed with nbgrader's settings of this course."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(Path(__file__).parent)).load_config()
    released, _ = ClearSolutions(config=config).preprocess(copy.deepcopy(source), {})
    return released


def _answers(notebook: NotebookNode) -> dict[str, str]:
    """grade_id -> source of each answer cell (a submission's metadata may hold anything)."""
    answers = {}
    for cell in notebook.get("cells", []):
        nbgrader = cell.get("metadata", {}).get("nbgrader") if isinstance(cell, dict) else None
        grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
        if isinstance(grade_id, str) and cell.get("cell_type") == "code" and isinstance(cell.get("source"), str):
            answers.setdefault(grade_id, cell["source"])
    return answers


def submissions_folder(class_dir: Path) -> tuple[Path, Path]:
    """(the submissions, where the report goes) for a course directory or a folder of submissions."""
    if (class_dir / "submitted").is_dir():
        return class_dir / "submitted", class_dir
    return class_dir, class_dir.parent


def lesson_matches(lesson: Lesson, submitted: Path, unread: dict[str, str]) -> list[Match]:
    """The matches among the students' answers of one lesson."""
    source = read_notebook(lesson.source_notebook)
    answer_ids = [cell.metadata["nbgrader"]["grade_id"] for cell in source.cells if utils.is_solution(cell)]
    stub_forms = {}
    for grade_id, code in _answers(_stubs(source)).items():
        if (tree := _parse(code)) is not None:
            stub_forms[grade_id] = normalised(tree)[0]
    kit = kit_forms({dotted for test in _tests_of(source) for dotted in KIT_FUNCTIONS.get(test, ())})
    cells: dict[str, dict[str, tuple[str, int]]] = {grade_id: {} for grade_id in answer_ids}
    matches = []
    for path in sorted(submitted.glob(f"*/{lesson.id}/{lesson.id}.ipynb")):
        student = path.parent.parent.name
        try:
            answers = _answers(read_submission(path, Limits().notebook_mb))
        except SubmissionError as error:
            unread[f"{student}/{lesson.id}"] = str(error)
            continue
        for grade_id in answer_ids:
            tree = _parse(answers.get(grade_id, ""))
            if tree is None or not tree.body:
                continue
            whole = normalised(tree)
            if whole[0] == stub_forms.get(grade_id):
                continue
            cells[grade_id][student] = whole
            for name, (form, size) in functions_of(_parse(answers[grade_id])).items():
                for dotted, kit_form in kit.items():
                    if form == kit_form:
                        matches.append(Match(lesson.id, grade_id, student, "kit", dotted, name, size))
    for grade_id, by_student in cells.items():
        groups: dict[str, list[str]] = {}
        for student, (form, _) in by_student.items():
            groups.setdefault(form, []).append(student)
        for students in (group for group in groups.values() if len(group) > 1):
            for student in students:
                others = " ".join(other for other in students if other != student)
                matches.append(Match(lesson.id, grade_id, student, "students", others, "", by_student[student][1]))
    return matches


def _tests_of(source: NotebookNode) -> list[str]:
    return [cell.metadata["nbgrader"]["grade_id"] for cell in source.cells if utils.is_grade(cell)]


def similarity_report(class_dir: Path, lessons: list[Lesson]) -> tuple[list[Match], dict[str, str], Path]:
    """The matches of every lesson, the submissions that could not be read (with why), the report's folder."""
    submitted, out = submissions_folder(class_dir)
    unread: dict[str, str] = {}
    matches = [match for lesson in lessons for match in lesson_matches(lesson, submitted, unread)]
    return matches, unread, out


def write_report(matches: list[Match], unread: dict[str, str], out: Path) -> str:
    """similarity.csv and similarity.txt in `out`; the text."""
    with (out / REPORT_CSV).open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["lesson", "answer", "student", "identical_to", "same_as", "function", "size"])
        for match in matches:
            writer.writerow(
                [match.lesson, match.answer, match.student, match.kind, match.same_as, match.function, match.size]
            )
    lines = [
        "Answers identical after normalising names, comments, docstrings, annotations and formatting",
        "(a report to read, not a grade; short answers can be equal by chance: see the size in nodes).",
        "",
    ]
    if not matches:
        lines.append("No answer is identical to the kit's code or to another student's.")
    for match in matches:
        where = f"{match.lesson} / {match.answer}: {match.student}"
        if match.kind == "kit":
            lines.append(f"{where}: function {match.function} is the kit's {match.same_as} ({match.size} nodes)")
        else:
            lines.append(f"{where}: the same answer as {match.same_as} ({match.size} nodes)")
    if unread:
        lines += ["", "Not read:"] + [f"{name}: {why}" for name, why in sorted(unread.items())]
    text = "\n".join(lines) + "\n"
    (out / REPORT_TEXT).write_text(text)
    return text
