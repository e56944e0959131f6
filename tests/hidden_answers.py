"""An answer of a hidden-test case: the lesson's solution with some of its text replaced.

The case files (tests/hidden_cases/<lesson id>.py) build their answers with `wrong` and `right`;
tests/test_hidden_tests.py says how they are graded.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """The solution with each (answer cell, solution text, replacement) of `edits` applied."""

    edits: tuple[tuple[str, str, str], ...]
    test: str  # the test cell that grades it
    message: str | None = None  # part of the test cell's error; None: a right answer, the test passes
    slow: bool = False  # its graded cells take more than ~20 s (lesson 5's script trains): complete suite only
    lesson: str = ""  # set from the case file's name

    @property
    def cells(self) -> set[str]:
        return {cell for cell, _, _ in self.edits}


def wrong(cell, edits, message, test=None, more=(), slow=False) -> Answer:
    """An answer in `cell` (plus any `more` (cell, text, replacement) edits) that must fail `test` with `message`."""
    return Answer(tuple((cell, *edit) for edit in edits) + tuple(more), test or f"{cell}_tests", message, slow)


def right(cell, edits, test=None, more=(), slow=False) -> Answer:
    """An answer written differently from the solution that must pass `test`."""
    return Answer(tuple((cell, *edit) for edit in edits) + tuple(more), test or f"{cell}_tests", None, slow)
