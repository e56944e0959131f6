"""Suite-wide ordering: the few tests that run for minutes go first.

Under pytest-xdist the suite lasts as long as its busiest worker. Started last, a whole-lesson
execution or a DPO comparison leaves the other worker idle for minutes; started first, the short
tests fill in around them.
"""

LONG_RUNNING = (
    "test_lessons.py::test_solution_executes_and_gets_full_marks",
    "test_lessons.py::test_untouched_student_notebook_gets_zero_without_crashing",
    "test_presets.py::test_tuned_execution_learns_what_the_textbooks_learns",
    "test_adversarial.py::",
)


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: not any(long_running in item.nodeid for long_running in LONG_RUNNING))
