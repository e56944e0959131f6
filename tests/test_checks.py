"""autograde/checks.py on small inputs: what each check accepts, its message, and the record it leaves
for the grader (autograde/verdict.py) while a notebook is graded."""

import math

import pytest
import sympy
import torch

from autograde import checks
from autograde.checks import (
    RECORD_MIME,
    RECORDS_VARIABLE,
    assert_close,
    assert_shape,
    assert_sympy_zero,
    assert_true,
    distinct_digits,
    explained,
    shape_of,
)


@pytest.fixture
def records(monkeypatch) -> list[dict]:
    """The records the checks display, as while the grader runs a notebook (RECORDS_VARIABLE=1)."""
    shown = []

    def display(data, raw):
        assert raw and set(data) == {RECORD_MIME}  # (raw: IPython shows it as this media type only)
        shown.append(data[RECORD_MIME])

    monkeypatch.setenv(RECORDS_VARIABLE, "1")
    monkeypatch.setattr("IPython.display.display", display)
    return shown


class Sneaky(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class TensorSubclass(torch.Tensor):
    pass


# A subclass that passes itself off as torch's own by its name and module.
FakeTensor = type("Tensor", (torch.Tensor,), {"__module__": "torch.sneaky"})


@pytest.mark.parametrize(
    "value, floats",
    [
        (0.5, [0.5]),
        (3, [3.0]),
        ([1, (2.0, [3])], [1.0, 2.0, 3.0]),
        (torch.tensor([[1.0, 2.0]], dtype=torch.float64), [1.0, 2.0]),
        (torch.nn.Parameter(torch.tensor([0.25])), [0.25]),
        (torch.tensor(1.5, requires_grad=True) * 2, [3.0]),
    ],
)
def test_plain_numbers_tensors_and_lists_become_floats(value, floats):
    got = checks._floats(value, "x")
    assert got == floats and all(type(item) is float for item in got)


@pytest.mark.parametrize(
    "value, message",
    [
        (True, "x: expected a number, got a bool"),
        (Sneaky(0.5), "x: expected a plain float or a torch.Tensor, got Sneaky"),
        (complex(1, 0), "x: expected a plain float or a torch.Tensor, got complex"),
        ("0.5", "x: expected a number or a torch.Tensor, got str"),
        (torch.zeros(2).as_subclass(FakeTensor), "x: expected a torch.Tensor, got a subclass Tensor"),
        (torch.zeros(2).as_subclass(TensorSubclass), "x: expected a number or a torch.Tensor, got TensorSubclass"),
        ([0.5, "a"], "x: expected a number or a torch.Tensor, got str"),
    ],
)
def test_anything_else_is_refused_with_what_it_is(value, message):
    with pytest.raises(AssertionError) as raised:
        checks._floats(value, "x")
    assert str(raised.value) == message


def test_distinct_digits_shows_as_many_digits_as_tell_the_numbers_apart():
    assert distinct_digits(0.5, 0.25) == ("0.5", "0.25")
    assert distinct_digits(0.1438410362, 0.1438410365) == ("0.1438410362", "0.1438410365")
    assert distinct_digits(1.0, 1.0) == ("1.0", "1.0")


def test_close_passes_within_atol_plus_rtol_times_the_expected_value():
    assert_close(1.0 + 1.9e-5, 1.0, atol=1e-5, rtol=1e-5)  # bound 2e-5
    assert_close(-2.0 - 2.9e-5, -2.0, atol=1e-5, rtol=1e-5)  # |expected| counts: bound 3e-5
    assert_close(0.75, 0.5, atol=0.25, rtol=0.0)  # the bound itself passes
    assert_close(torch.tensor([1.0, 2.0]), [1.0, 2.0])
    for actual, expected in ((1.0 + 2.1e-5, 1.0), (-2.0 - 3.1e-5, -2.0), (0.7500001, 0.5)):
        with pytest.raises(AssertionError):
            assert_close(actual, expected, atol=0.25 if expected == 0.5 else 1e-5, rtol=0 if expected == 0.5 else 1e-5)


def test_close_says_where_and_what_it_expected():
    with pytest.raises(AssertionError) as raised:
        assert_close([1.0, 2.5], [1.0, 2.0], atol=0.1, rtol=0.0, what="f(x)")
    assert str(raised.value) == "f(x) at index 1: expected 2, got 2.5 (tolerance 1.0e-01)"
    with pytest.raises(AssertionError, match=r"^loss: expected 0.5, got 0.75 \(tolerance"):
        assert_close(0.75, 0.5, what="loss")
    with pytest.raises(AssertionError, match="^result: expected 2 values, got 1$"):
        assert_close([1.0], [1.0, 2.0])


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_nan_and_inf_never_pass(bad):
    with pytest.raises(AssertionError):
        assert_close(bad, 1.0, atol=1e300)
    with pytest.raises(AssertionError):
        assert_close([0.0, bad], [0.0, 1.0], atol=1e300)


def test_close_records_what_it_compared(records):
    assert_close(0.5, 0.5, atol=1e-3, rtol=0.0, what="half")
    with pytest.raises(AssertionError):
        assert_close([1.0, 2.0], [1.0, 3.0], what="pair")
    assert records == [
        {"check": "close", "what": "half", "got": ["0.5"], "want": ["0.5"], "atol": "0.001", "rtol": "0.0"},
        {
            "check": "close",
            "what": "pair",
            "got": ["1.0", "2.0"],
            "want": ["1.0", "3.0"],
            "atol": "1e-05",
            "rtol": "1e-05",
        },
    ]


def test_a_large_comparison_is_recorded_as_its_outcome_only(records):
    many = torch.zeros(checks._MAX_RECORDED_VALUES + 1)
    assert_close(many, many, what="big")
    with pytest.raises(AssertionError):
        assert_close(many + 1, many, what="big")
    assert_close(many[:-1], many[:-1], what="just fits")
    assert records[:2] == [
        {"check": "close_summary", "what": "big", "n": checks._MAX_RECORDED_VALUES + 1, "passed": True},
        {"check": "close_summary", "what": "big", "n": checks._MAX_RECORDED_VALUES + 1, "passed": False},
    ]
    assert records[2]["check"] == "close" and len(records[2]["got"]) == checks._MAX_RECORDED_VALUES


def test_no_records_outside_grading(monkeypatch):
    shown = []
    monkeypatch.delenv(RECORDS_VARIABLE, raising=False)
    monkeypatch.setattr("IPython.display.display", lambda data, raw: shown.append(data))
    assert_close(0.5, 0.5)
    assert_true(True, "fine")
    monkeypatch.setenv(RECORDS_VARIABLE, "0")
    assert_close(0.5, 0.5)
    assert shown == []


def test_true_means_the_real_true(records):
    assert_true(True, "holds")
    for claim in (1, "yes", [0], torch.tensor(True), Sneaky(1.0)):
        with pytest.raises(AssertionError, match="^claims$"):
            assert_true(claim, "claims")
    assert records[0] == {"check": "true", "what": "holds", "passed": True}
    assert {record["passed"] for record in records[1:]} == {False} and len(records) == 6


def test_shape(records):
    assert shape_of(torch.zeros(2, 3)) == (2, 3)
    assert_shape(torch.zeros(2, 3), (2, 3), what="logits")
    with pytest.raises(AssertionError, match=r"^logits: expected shape \(3, 2\), got \(2, 3\)$"):
        assert_shape(torch.zeros(2, 3), (3, 2), what="logits")
    with pytest.raises(AssertionError, match="^expected a torch.Tensor, got list$"):
        assert_shape([[0.0]], (1, 1))
    with pytest.raises(AssertionError, match="got TensorSubclass"):
        shape_of(torch.zeros(1).as_subclass(TensorSubclass))
    assert shape_of(torch.nn.Parameter(torch.zeros(4))) == (4,)
    assert records == [
        {"check": "shape", "what": "logits", "got": [2, 3], "want": [2, 3]},
        {"check": "shape", "what": "logits", "got": [2, 3], "want": [3, 2]},
    ]


def test_sympy_zero(records):
    x = sympy.Symbol("x")
    assert_sympy_zero(sympy.sin(x) ** 2 + sympy.cos(x) ** 2 - 1, what="identity")
    with pytest.raises(AssertionError, match=r"^slope: does not simplify to 0 \(got x\)$"):
        assert_sympy_zero(x, what="slope")
    with pytest.raises(AssertionError, match="^expression: expected a sympy expression, got int$"):
        assert_sympy_zero(0)
    assert records == [
        {"check": "sympy_zero", "what": "identity", "simplified": "0"},
        {"check": "sympy_zero", "what": "slope", "simplified": "x"},
    ]


def test_explained_turns_an_error_of_the_students_code_into_the_tests_explanation():
    with pytest.raises(AssertionError) as raised:
        with explained("the loss must be differentiable"):
            raise RuntimeError("element 0 of tensors does not require grad\nsecond line")
    assert str(raised.value) == (
        "the loss must be differentiable (your code raised RuntimeError: element 0 of tensors does not require grad)"
    )
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    with pytest.raises(AssertionError, match="^the check's own message$"):
        with explained("unused"):
            raise AssertionError("the check's own message")
    with pytest.raises(AssertionError, match=r"^why \(your code raised ValueError: \)$"):
        with explained("why"):
            raise ValueError()
    with explained("nothing raised"):
        pass
