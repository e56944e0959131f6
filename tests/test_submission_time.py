"""autograde/submission_time.py: a submission's time from nbgrader's timestamp.txt, and `--due-date`."""

from datetime import datetime

import pytest

from autograde.errors import AutogradeError
from autograde.submission_time import TIMESTAMP_FILE, parse_due_date, submitted_at


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-12-01 14:59:00.123456 UTC", datetime(2026, 12, 1, 14, 59, 0, 123456)),  # as nbgrader writes it
        ("2026-12-01T23:30:00+09:00\n", datetime(2026, 12, 1, 14, 30)),
    ],
)
def test_the_time_of_a_submission_is_read_as_nbgrader_reads_it(tmp_path, text, expected):
    (tmp_path / TIMESTAMP_FILE).write_text(text)
    assert submitted_at(tmp_path) == expected


@pytest.mark.parametrize("text", [None, "", "not a time", "2026-13-45 99:00 UTC"])
def test_no_readable_time_is_none(tmp_path, text):
    if text is not None:
        (tmp_path / TIMESTAMP_FILE).write_text(text)
    assert submitted_at(tmp_path) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-12-01 23:59", datetime(2026, 12, 1, 23, 59)),
        ("2026-12-02 00:00+09:00", datetime(2026, 12, 1, 15, 0)),
        ("2026-12-01T23:59:30Z", datetime(2026, 12, 1, 23, 59, 30)),
    ],
)
def test_a_due_date_is_iso_8601_in_utc_unless_it_says_otherwise(text, expected):
    assert parse_due_date(text) == expected


@pytest.mark.parametrize("text", ["tomorrow", "2026-12-01 23:59 JST", "01/12/2026"])
def test_a_due_date_that_is_not_iso_is_a_one_line_error(text):
    with pytest.raises(AutogradeError, match="--due-date .* is not an ISO date and time"):
        parse_due_date(text)
