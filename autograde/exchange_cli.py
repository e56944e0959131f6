"""`python -m autograde exchange ACTION`: nbgrader's exchange for a JupyterHub class (autograde/exchange.py)."""

import argparse
from pathlib import Path

from autograde import exchange
from autograde.editions import LANGUAGES, LESSON_LANGUAGE
from autograde.lessons import select_lessons


def add_exchange_command(commands, source: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "exchange",
        help="nbgrader's exchange for a JupyterHub class: init, release, collect, feedback (docs/instructor-guide.md)",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    settings = argparse.ArgumentParser(add_help=False)
    settings.add_argument(
        "--settings",
        type=Path,
        default=exchange.SETTINGS,
        metavar="FILE",
        help=f"where the exchange is recorded (default: {exchange.SETTINGS}, which every "
        "Jupyter started from this environment reads)",
    )

    action = actions.add_parser("init", parents=[settings], help="create the exchange directory and record it")
    action.add_argument(
        "--root",
        type=Path,
        required=True,
        metavar="DIR",
        help="the exchange directory, shared by all users (e.g. /srv/nbgrader/exchange)",
    )
    action.add_argument("--course", required=True, metavar="COURSE_ID", help="the course id students see")
    action.set_defaults(run=_init)

    lessons = argparse.ArgumentParser(add_help=False, parents=[source, settings])
    lessons.add_argument("lessons", nargs="+", metavar="ASSIGNMENT", help="lesson ids")
    lessons.add_argument(
        "--course-dir",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the instructor's nbgrader course directory (default: the current one)",
    )
    for name, run, text in (
        ("release", exchange.release_lessons, "put the lessons' student versions in the exchange"),
        ("collect", exchange.collect_lessons, "copy the latest submissions into COURSE_DIR/submitted/"),
        ("feedback", exchange.return_feedback, "return COURSE_DIR/feedback/ to the students"),
    ):
        action = actions.add_parser(name, parents=[lessons], help=text)
        action.set_defaults(run=_per_lesson(name, run), language=None)
        if name == "release":
            action.add_argument(
                "--language",
                choices=LANGUAGES,
                default=LESSON_LANGUAGE,
                help=f"the edition to release (default: {LESSON_LANGUAGE}); students may hand in either",
            )


def _init(arguments) -> None:
    exchange.init_exchange(arguments.root, arguments.course, arguments.settings)
    print(f"exchange {arguments.root.resolve()} for course {arguments.course}, recorded in {arguments.settings}")


def _per_lesson(name: str, run):
    def command(arguments) -> None:
        lessons = select_lessons(arguments.source, arguments.lessons)
        options = {"language": arguments.language} if arguments.language else {}
        run(arguments.source, arguments.course_dir, lessons, arguments.settings, **options)
        print(f"{name}: {', '.join(lesson.id for lesson in lessons)}")

    return command
