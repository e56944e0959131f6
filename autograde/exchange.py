"""nbgrader's exchange for classes on a shared JupyterHub: release, fetch, submit, collect, feedback.

The instructor sets up one exchange directory per machine (`python -m autograde exchange init`); its
settings go to a JSON nbgrader config file that every Jupyter server started from this environment reads
(`<environment>/etc/jupyter/nbgrader_config.json`), so that the students' Assignment List finds the
course. The instructor then releases lessons from `solutions/` (their student versions, as in course/),
collects submissions into a course directory, grades them with `python -m autograde grade`, and returns
the feedback; students fetch, submit and fetch feedback in the Assignment List. docs/instructor-guide.md
gives the commands.
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

from autograde.course import generate
from autograde.editions import LESSON_LANGUAGE, check_language
from autograde.errors import AutogradeError
from autograde.lessons import Lesson
from autograde.paths import CourseDir, StudentNotebook
from autograde.runner import run_nbgrader

SETTINGS = Path(sys.prefix) / "etc" / "jupyter" / "nbgrader_config.json"
HOW_TO_SET_UP = (
    "No course exchange is set up for this Jupyter, so there are no assignments to fetch or submit here. "
    "Classes on a shared JupyterHub: the instructor sets one up with "
    "`python -m autograde exchange init --root /srv/nbgrader/exchange --course COURSE_ID` "
    "(docs/instructor-guide.md, section Exchange). Without one, hand in the notebook file itself "
    "(docs/student-guide.md, section Submit)."
)


def exchange_is_set_up(config) -> bool:
    """Whether an nbgrader configuration names an exchange directory (`init_exchange` records one);
    without one nbgrader would look for /usr/local/share/nbgrader/exchange and report it missing."""
    return "root" in config.Exchange


def init_exchange(root: Path, course_id: str, settings: Path = SETTINGS) -> None:
    """Create the exchange directory and record it, with the course id, in `settings`."""
    if not course_id or "+" in course_id or "/" in course_id:
        raise AutogradeError(f"--course {course_id!r}: give a short course id without '+' or '/', e.g. rlhf")
    root = root.resolve()
    try:
        root.mkdir(parents=True, exist_ok=True)
        # Students write their submissions into it: world-writable like /tmp (nbgrader's own rule).
        root.chmod(0o777)
    except OSError as error:
        raise AutogradeError(
            f"cannot create the exchange {root}: {error.strerror}; "
            "run as a user who may write there (on a JupyterHub, the administrator)"
        ) from None
    config = _read_settings(settings) if settings.is_file() else {}
    config.setdefault("Exchange", {})["root"] = str(root)
    config.setdefault("CourseDirectory", {})["course_id"] = course_id
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps(config, indent=2) + "\n")


def exchange_options(settings: Path = SETTINGS) -> list[str]:
    """The exchange's settings as nbgrader command-line options (autograde runs nbgrader with its own
    config file only)."""
    config = _read_settings(settings) if settings.is_file() else {}
    root = config.get("Exchange", {}).get("root")
    course_id = config.get("CourseDirectory", {}).get("course_id")
    if not root or not course_id:
        raise AutogradeError(
            f"no exchange is set up in {settings}; "
            "run `python -m autograde exchange init --root DIR --course COURSE_ID` first"
        )
    return [f"--Exchange.root={root}", f"--CourseDirectory.course_id={course_id}"]


def _read_settings(settings: Path) -> dict:
    try:
        return json.loads(settings.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise AutogradeError(
            f"{settings} is not readable JSON ({error}); fix or delete it, "
            "then run `python -m autograde exchange init` again"
        ) from None


def release_lessons(
    source: Path, course_dir: Path, lessons: list[Lesson], settings: Path = SETTINGS, language: str = LESSON_LANGUAGE
) -> None:
    """nbgrader release_assignment of each lesson's student version in `language`, generated from
    `source` exactly as course/<language>/ is. (Either edition is graded alike: a class may mix them.)"""
    options = exchange_options(settings)
    course_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="autograde-release-") as scratch:
        generate(source, Path(scratch), lessons)
        course = CourseDir(course_dir, source, Path(scratch) / check_language(language))
        for lesson in lessons:
            _run(course, "release_assignment", lesson.id, "--force", *options)


def collect_lessons(source: Path, course_dir: Path, lessons: list[Lesson], settings: Path = SETTINGS) -> None:
    """nbgrader collect: the latest submission of each student into COURSE_DIR/submitted/<student>/<lesson>/,
    ready for `python -m autograde grade COURSE_DIR/submitted -o COURSE_DIR`."""
    options = exchange_options(settings)
    course_dir.mkdir(parents=True, exist_ok=True)
    course = CourseDir(course_dir, source, course_dir / "release")
    for lesson in lessons:
        _run(course, "collect", lesson.id, "--update", *options)


def return_feedback(source: Path, course_dir: Path, lessons: list[Lesson], settings: Path = SETTINGS) -> None:
    """nbgrader release_feedback: COURSE_DIR/feedback/ back to the students through the exchange."""
    options = exchange_options(settings)
    if not (course_dir / "feedback").is_dir():
        raise AutogradeError(
            f"{course_dir / 'feedback'} does not exist: grade first "
            f"(python -m autograde grade {course_dir / 'submitted'} -o {course_dir})"
        )
    course = CourseDir(course_dir, source, course_dir / "release")
    for lesson in lessons:
        _copy_submission_records(course_dir, lesson)
        _run(course, "release_feedback", lesson.id, *options)


def _copy_submission_records(course_dir: Path, lesson: Lesson) -> None:
    """release_feedback files a student's feedback under a key made from the submission's records, which
    it reads from the feedback folder. nbgrader's own autograde and generate_feedback carry them there;
    `python -m autograde grade` brings only the notebook back from its sandbox, so copy them from submitted/."""
    for feedback in sorted((course_dir / "feedback").glob(f"*/{lesson.id}")):
        submitted = StudentNotebook(course_dir, feedback.parent.name, lesson.id).submitted.parent
        for record in ("timestamp.txt", "submission_secret.txt"):
            if (submitted / record).is_file() and not (feedback / record).exists():
                shutil.copyfile(submitted / record, feedback / record)


def _run(course: CourseDir, command: str, *args: str) -> None:
    run = run_nbgrader(course, command, *args)
    if not run.ok:
        raise AutogradeError(f"nbgrader {command} {args[0]} failed: {run.reason()}")
