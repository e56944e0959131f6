"""Grading for the course: nbgrader configuration, `python -m autograde` commands, and the
comparisons that graded tests use (`autograde.checks`)."""
