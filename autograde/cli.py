"""`python -m autograde COMMAND`: generate the course, check one notebook, grade a class (or a shard of
it, and merge the shards), report similar answers, build a sample class. Bad input ends with one line on
stderr and exit code 1."""

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
from autograde.limits import Limits, option
from autograde.limits import fields as limit_fields
from autograde.paths import REPO_ROOT
from autograde.results import SubmissionResult
from autograde.sample_class import build_sample_class
from autograde.selfcheck import check_notebook
from autograde.shards import merge_shards, parse_shard
from autograde.similarity import REPORT_CSV, REPORT_TEXT, similarity_report, write_report
from autograde.submission_time import parse_due_date

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
        "--due-date",
        metavar="WHEN",
        help="the graded lessons' due date, ISO 8601: '2026-12-01 23:59' (UTC) or '2026-12-01 23:59+09:00'; "
        "grades.csv's late column compares each submission's time (timestamp.txt) with it "
        "(default: the due date already in OUT's gradebook, if any)",
    )
    _add_limit_options(command)
    command.add_argument(
        "--shard",
        metavar="I/N",
        help="grade only the I-th of N slices of the students (sorted ids, every N-th from the I-th), e.g. one "
        "task of a batch job array; `merge` joins the N outputs",
    )
    command.set_defaults(run=_grade)

    command = commands.add_parser(
        "merge", parents=[source], help="join the outputs of `grade --shard I/N` into one graded class"
    )
    command.add_argument("shards", nargs="+", type=Path, metavar="SHARD_OUT", help="the -o folders of the shards")
    command.add_argument(
        "-o", "--out", type=Path, required=True, metavar="OUT", help="a new folder: the class as one `grade` writes it"
    )
    command.set_defaults(run=_merge)

    command = commands.add_parser(
        "similarity",
        parents=[source],
        help="report answers identical to the kit's code or to another student's (similarity.csv, .txt)",
    )
    command.add_argument(
        "class_dir", type=Path, metavar="CLASS", help="a graded class's course directory (grade's -o), or SUBMISSIONS"
    )
    command.set_defaults(run=_similarity)
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


def _add_limit_options(command: argparse.ArgumentParser) -> None:
    """One option per field of `Limits`, with its default and help from there."""
    for item in limit_fields().values():
        if item.type is bool:
            command.add_argument(option(item), dest=item.name, action="store_true", help=item.metadata["help"])
            continue
        command.add_argument(
            option(item),
            dest=item.name,
            type=item.type,
            default=item.default,
            metavar=item.metadata["unit"],
            help=item.metadata["help"].format(default=f"{item.default:g}"),
        )


def _grade(arguments) -> None:
    if arguments.jobs <= 0:
        raise AutogradeError("--jobs must be positive")
    limits = Limits(**{name: getattr(arguments, name) for name in limit_fields()})
    due_date = parse_due_date(arguments.due_date) if arguments.due_date else None
    grade_class(
        arguments.submissions,
        arguments.out,
        arguments.source,
        arguments.jobs,
        on_result=_print_submission,
        limits=limits,
        due_date=due_date,
        shard=parse_shard(arguments.shard) if arguments.shard else None,
    )
    print(
        f"grades: {arguments.out / 'grades.csv'}; summary: {arguments.out / 'summary.csv'}; "
        f"feedback: {arguments.out / 'feedback'}/<student>/<lesson>/"
    )


def _merge(arguments) -> None:
    merge_shards(arguments.shards, arguments.out, arguments.source)
    print(f"grades: {arguments.out / 'grades.csv'}; summary: {arguments.out / 'summary.csv'}")


def _print_submission(result: SubmissionResult) -> None:
    line = f"{result.student:<20}  {result.lesson}  {_points(result.score, result.max_score):>7}"
    print(f"{line}  failed: {result.failure}" if result.failure else line, flush=True)


def _similarity(arguments) -> None:
    if not arguments.class_dir.is_dir():
        raise AutogradeError(f"{arguments.class_dir}: no such folder; give grade's -o folder or the submissions")
    matches, unread, out = similarity_report(arguments.class_dir, select_lessons(arguments.source, []))
    print(write_report(matches, unread, out), end="")
    print(f"(written to {out / REPORT_CSV} and {out / REPORT_TEXT})")


def _sample_class(arguments) -> None:
    submissions = build_sample_class(arguments.source, arguments.out)
    width = max(len(submission.student) for submission in submissions)
    for submission in submissions:
        print(f"{submission.student:<{width}}  {submission.lesson}  expected {submission.expected_score:g}")


def _points(points: float, max_points: float) -> str:
    return f"{points:g}/{max_points:g}"
