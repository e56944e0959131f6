"""Where things are: the repository, the model cache, nbgrader course directories, and a lesson's
notebook in any folder laid out by lesson.

Every `<folder>/<lesson>/<lesson>.ipynb` of the course is built here: the source (solutions/), the
student version (course/, a release folder), a class of submissions (`SUBMISSIONS/<student>/`), and
a student's notebook at each step of an nbgrader course directory (submitted/, autograded/,
feedback/), so that the layout nbgrader expects is written down once.
"""

from dataclasses import dataclass
from pathlib import Path

from rlhf_lab.cache import cache_root

REPO_ROOT = Path(__file__).resolve().parent.parent


def model_cache() -> Path | None:
    """rlhf_lab's cache of trained reference models, if there is one (lessons load them offline)."""
    cache = cache_root()
    return cache.resolve() if cache.is_dir() else None


@dataclass(frozen=True)
class CourseDir:
    """An nbgrader course directory: `root` holds gradebook.db, submitted/, autograded/, feedback/.

    `source` (the notebooks with solutions and hidden tests) and `release` (the student versions) may
    lie elsewhere, so that a temporary course directory can grade against this repository's
    solutions/ without writing into it.
    """

    root: Path
    source: Path
    release: Path

    @property
    def gradebook_url(self) -> str:
        return f"sqlite:///{self.root.resolve() / 'gradebook.db'}"  # nbgrader's default place

    def options(self) -> list[str]:
        # Absolute paths: nbgrader joins a relative directory onto `root`.
        return [
            f"--CourseDirectory.root={self.root.resolve()}",
            f"--CourseDirectory.source_directory={self.source.resolve()}",
            f"--CourseDirectory.release_directory={self.release.resolve()}",
        ]


def lesson_notebook(folder: Path, lesson: str, suffix: str = ".ipynb") -> Path:
    """`folder/<lesson>/<lesson>.ipynb` (nbgrader: one assignment holds one notebook of its name)."""
    return folder / lesson / f"{lesson}{suffix}"


@dataclass(frozen=True)
class StudentNotebook:
    """One student's notebook of one lesson in the nbgrader course directory `root`."""

    root: Path
    student: str
    lesson: str

    @property
    def submitted(self) -> Path:
        return lesson_notebook(self.root / "submitted" / self.student, self.lesson)

    @property
    def autograded(self) -> Path:
        """The executed notebook that generate_feedback reads."""
        return lesson_notebook(self.root / "autograded" / self.student, self.lesson)

    @property
    def feedback(self) -> Path:
        """The HTML page that generate_feedback writes."""
        return lesson_notebook(self.root / "feedback" / self.student, self.lesson, ".html")
