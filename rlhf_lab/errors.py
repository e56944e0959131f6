"""The one exception type the course raises for bad input.

Every message is a single line that says what was wrong and what to do about it; the CLI prints it
without a traceback, so a student sees the fix rather than a stack of library frames.
"""


class CourseError(Exception):
    """A user-facing error: bad input, a missing file, no network for a Hub download."""
