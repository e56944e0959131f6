"""What grading found: one record per graded test cell, one per submission.

The same `ExerciseResult` goes from the verdict (autograde/verdict.py) into the class gradebook
(autograde/gradebook.py), `check`'s report (autograde/cli.py) and summary.csv (autograde/reports.py).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ExerciseResult:
    """One graded test cell: its nbgrader grade_id, score, and why it failed (None if it passed)."""

    id: str
    points: float
    max_points: float
    message: str | None


@dataclass(frozen=True)
class SubmissionResult:
    student: str
    lesson: str
    exercises: list[ExerciseResult]
    # Why the notebook could not be graded (every exercise then has 0), or why grading stopped
    # early (a dead or killed kernel, the time limit: the cells after it have 0).
    failure: str | None
    seconds: float = 0.0  # how long grading it took
    peak_memory_mb: float | None = None  # of its whole process tree (known with control groups)
    memory_kills: int | None = None  # how many of its processes were killed for memory (likewise)
    edition: str | None = None  # the language of the notebook handed in (autograde/editions.py), if read

    @property
    def score(self) -> float:
        return sum(exercise.points for exercise in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(exercise.max_points for exercise in self.exercises)
