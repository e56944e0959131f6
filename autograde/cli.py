"""`python -m autograde COMMAND`: generate the course, check one notebook, grade a class, build a
sample class. Bad input ends with one line on stderr and exit code 1."""

import argparse
import json
import sys
from pathlib import Path

from autograde.class_grading import grade_class
from autograde.course import generate
from autograde.editions import translations
from autograde.errors import AutogradeError
from autograde.exchange_cli import add_exchange_command
from autograde.lessons import select_lessons
from autograde.limits import Limits
from autograde.paths import REPO_ROOT
from autograde.results import SubmissionResult
from autograde.sample_class import build_sample_class
from autograde.selfcheck import check_notebook

DEFAULT_SOURCE = REPO_ROOT / "solutions"


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        arguments.run(arguments)
    except AutogradeError as error:
        print(f"autograde {arguments.command}: {error}", file=sys.stderr)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograde", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    source = argparse.ArgumentParser(add_help=False)
    source.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        metavar="DIR",
        help="the source notebooks, <id>/<id>.ipynb (default: solutions/)",
    )

    command = commands.add_parser(
        "generate",
        parents=[source],
        help="build course/<language>/ from solutions/ (and, for all of solutions/, docs/<language>/ from docs/)",
    )
    command.add_argument("lessons", nargs="*", metavar="ASSIGNMENT", help="lesson ids (default: all, and the guides)")
    command.add_argument(
        "--course",
        type=Path,
        default=REPO_ROOT / "course",
        metavar="DIR",
        help="where the student versions go, one folder per language (default: course/)",
    )
    command.set_defaults(run=_generate)

    command = commands.add_parser(
        "translations",
        parents=[source],
        help="bring the translation catalogs (locale/) in step with the lessons and guides",
    )
    command.set_defaults(run=_translations)

    command = commands.add_parser("check", parents=[source], help="grade one notebook against the hidden tests")
    command.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    command.add_argument("--json", action="store_true", help="print one JSON object")
    command.set_defaults(run=_check)

    command = commands.add_parser("grade", parents=[source], help="grade a class: SUBMISSIONS/<student>/<lesson>/")
    command.add_argument("submissions", type=Path, metavar="SUBMISSIONS")
    command.add_argument(
        "-o",
        "--out",
        type=Path,
        required=True,
        metavar="OUT",
        help="course directory for gradebook, feedback/, grades.csv, summary.csv",
    )
    command.add_argument("--jobs", type=int, default=2, metavar="N", help="students graded at once (default 2)")
    command.add_argument(
        "--timeout",
        type=float,
        default=1200,
        metavar="SECONDS",
        help="CPU time limit for one notebook (default 1200; a notebook that waits instead gets "
        f"{Limits.wall_factor:g} times as long in wall-clock time)",
    )
    command.add_argument(
        "--cell-timeout",
        type=float,
        default=Limits.cell_timeout,
        metavar="SECONDS",
        help=f"CPU time limit for one cell (default {Limits.cell_timeout:g}; likewise)",
    )
    command.add_argument(
        "--memory-mb",
        type=int,
        default=Limits.memory_mb,
        metavar="MB",
        help=f"address space of each kernel process (default {Limits.memory_mb})",
    )
    command.add_argument(
        "--tree-memory-mb",
        type=int,
        default=Limits.tree_memory_mb,
        metavar="MB",
        help="memory of one submission's processes together (default "
        f"{Limits.tree_memory_mb}; needs control groups: root)",
    )
    command.add_argument(
        "--processes",
        type=int,
        default=Limits.processes,
        metavar="N",
        help=f"processes and threads of one submission (default {Limits.processes}; "
        "needs root, or the bwrap or unshare sandbox)",
    )
    command.add_argument(
        "--all-cells",
        action="store_true",
        help="also run the cells after the last graded one (the lessons' closing demonstrations: slower, same scores)",
    )
    command.set_defaults(run=_grade)

    command = commands.add_parser("sample-class", parents=[source], help="write a sample class with known scores")
    command.add_argument("out", type=Path, metavar="OUT")
    command.set_defaults(run=_sample_class)

    add_exchange_command(commands, source)
    return parser


def _generate(arguments) -> None:
    lessons = select_lessons(arguments.source, arguments.lessons)
    # The guides are the course's own: translated along with all of its lessons.
    guides = not arguments.lessons and arguments.source.resolve() == DEFAULT_SOURCE
    for path in generate(arguments.source, arguments.course, lessons, guides=guides):
        print(path)


def _translations(arguments) -> None:
    for translation in translations(arguments.source):
        translation.update()
        problems, name = translation.problems(), translation.catalog.relative_to(REPO_ROOT)
        print(f"{name}: {len(problems)} messages to translate or check" if problems else name)


def _check(arguments) -> None:
    result = check_notebook(arguments.notebook, arguments.source)
    if arguments.json:
        print(
            json.dumps(
                {
                    "notebook": str(arguments.notebook),
                    "edition": result.edition,
                    "score": result.score,
                    "max_score": result.max_score,
                    "exercises": [
                        {
                            "id": exercise.id,
                            "points": exercise.points,
                            "max_points": exercise.max_points,
                            "message": exercise.message,
                        }
                        for exercise in result.exercises
                    ],
                }
            )
        )
        return
    edition = f", edition {result.edition}" if result.edition else ""
    print(f"{arguments.notebook} (lesson {result.lesson}{edition}): {_points(result.score, result.max_score)} points")
    if result.failure:
        print(f"could not be graded: {result.failure}")
    width = max((len(exercise.id) for exercise in result.exercises), default=0)
    for exercise in result.exercises:
        line = f"  {exercise.id:<{width}}  {_points(exercise.points, exercise.max_points):>7}"
        print(f"{line}  {exercise.message}" if exercise.message and not result.failure else line)


def _grade(arguments) -> None:
    if (
        min(
            arguments.jobs,
            arguments.timeout,
            arguments.cell_timeout,
            arguments.memory_mb,
            arguments.tree_memory_mb,
            arguments.processes,
        )
        <= 0
    ):
        raise AutogradeError(
            "--jobs, --timeout, --cell-timeout, --memory-mb, --tree-memory-mb and --processes must be positive"
        )
    limits = Limits(
        cell_timeout=arguments.cell_timeout,
        memory_mb=arguments.memory_mb,
        tree_memory_mb=arguments.tree_memory_mb,
        processes=arguments.processes,
        run_ungraded_tail=arguments.all_cells,
    )
    grade_class(
        arguments.submissions,
        arguments.out,
        arguments.source,
        arguments.jobs,
        arguments.timeout,
        on_result=_print_submission,
        limits=limits,
    )
    print(
        f"grades: {arguments.out / 'grades.csv'}; summary: {arguments.out / 'summary.csv'}; "
        f"feedback: {arguments.out / 'feedback'}/<student>/<lesson>/"
    )


def _print_submission(result: SubmissionResult) -> None:
    line = f"{result.student:<20}  {result.lesson}  {_points(result.score, result.max_score):>7}"
    print(f"{line}  failed: {result.failure}" if result.failure else line, flush=True)


def _sample_class(arguments) -> None:
    submissions = build_sample_class(arguments.source, arguments.out)
    width = max(len(submission.student) for submission in submissions)
    for submission in submissions:
        print(f"{submission.student:<{width}}  {submission.lesson}  expected {submission.expected_score:g}")


def _points(points: float, max_points: float) -> str:
    return f"{points:g}/{max_points:g}"
