"""Comparisons for graded tests that a submission's own code cannot talk its way past.

Tests run in the student's kernel, after the student's code. That code can replace `math.isclose` or
`torch.allclose`, or return a float subclass whose `__eq__` always says True. So these checks never
call a comparison the student could have replaced on the value: they accept only exact built-in types
(`type(x) is float`, `type(t) is torch.Tensor`), turn tensors into Python floats themselves, and
compare with plain arithmetic on those floats.

Student code can still patch this module itself (`autograde.checks.assert_close = ...`). So, when the
grader runs a notebook (the kernel launcher sets AUTOGRADE_CHECK_RECORDS=1), every check also leaves
a record of what it compared, as an output of the test cell with the media type RECORD_MIME. The
grader reads the records from the executed notebook and decides outside the kernel
(autograde/verdict.py): it redoes each comparison on the recorded plain numbers and fails a test
cell that left fewer records than its source has checks. What the records cannot stop is described
in docs/threat-model.md.
"""

import contextlib
import numbers
import os

_EXACT_SCALARS = (float, int)
RECORD_MIME = "application/vnd.autograde.check+json"
RECORDS_VARIABLE = "AUTOGRADE_CHECK_RECORDS"  # "1": the grader runs the notebook (set by the kernel launcher)
_MAX_RECORDED_VALUES = 20000


def _record(**fields) -> None:
    """One check's record as an output of the running cell (only while the grader runs the notebook)."""
    if os.environ.get(RECORDS_VARIABLE) != "1":
        return
    try:
        from IPython.display import display
    except ImportError:
        return
    display({RECORD_MIME: fields}, raw=True)


def _floats(value, what: str) -> list[float]:
    """The value as a flat list of exact Python floats, or an AssertionError saying why not."""
    kind = type(value)
    if kind in _EXACT_SCALARS:
        return [float(value)]
    if kind is bool:
        raise AssertionError(f"{what}: expected a number, got a bool")
    module = getattr(kind, "__module__", "")
    if kind.__name__ in ("Tensor", "Parameter") and module.startswith("torch"):
        import torch

        if kind is not torch.Tensor and kind is not torch.nn.Parameter:
            raise AssertionError(f"{what}: expected a torch.Tensor, got a subclass {kind.__name__}")
        flat = torch.Tensor.tolist(torch.Tensor.reshape(torch.Tensor.double(torch.Tensor.detach(value)), (-1,)))
        return [float(x) for x in flat]
    if isinstance(value, (list, tuple)) and kind in (list, tuple):
        out = []
        for item in value:
            out += _floats(item, what)
        return out
    if isinstance(value, numbers.Number):
        raise AssertionError(f"{what}: expected a plain float or a torch.Tensor, got {kind.__name__}")
    raise AssertionError(f"{what}: expected a number or a torch.Tensor, got {kind.__name__}")


def distinct_digits(expected: float, got: float) -> tuple[str, str]:
    """Both numbers with 6 significant digits, or as many more as it takes to tell them apart
    ("expected 0.143841, got 0.143841" says nothing; "0.1438410362, got 0.1438410365" does)."""
    for digits in range(6, 18):
        pair = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if pair[0] != pair[1]:
            return pair
    return repr(expected), repr(got)


def shape_of(value) -> tuple[int, ...]:
    import torch

    if type(value) is not torch.Tensor and type(value) is not torch.nn.Parameter:
        raise AssertionError(f"expected a torch.Tensor, got {type(value).__name__}")
    return tuple(int(n) for n in torch.Tensor.size(value))


def assert_shape(value, expected: tuple[int, ...], what: str = "result") -> None:
    actual = shape_of(value)
    _record(check="shape", what=what, got=list(actual), want=[int(n) for n in expected])
    if actual != tuple(expected):
        raise AssertionError(f"{what}: expected shape {tuple(expected)}, got {actual}")


def assert_close(actual, expected, atol: float = 1e-5, rtol: float = 1e-5, what: str = "result") -> None:
    """|actual - expected| <= atol + rtol * |expected| elementwise, on exact floats; NaN never passes."""
    got, want = _floats(actual, what), _floats(expected, "expected")
    if len(got) != len(want):
        raise AssertionError(f"{what}: expected {len(want)} values, got {len(got)}")
    failure = None
    for index, (g, w) in enumerate(zip(got, want)):
        difference = g - w if g >= w else w - g
        bound = atol + rtol * (w if w >= 0 else -w)
        if not difference <= bound:  # written so that NaN fails
            where = f" at index {index}" if len(want) > 1 else ""
            expected_text, got_text = distinct_digits(w, g)
            failure = f"{what}{where}: expected {expected_text}, got {got_text} (tolerance {bound:.1e})"
            failure += _dtype_note(actual, expected)
            break
    if len(want) <= _MAX_RECORDED_VALUES:  # (floats as repr strings: JSON has no NaN or inf)
        _record(
            check="close",
            what=what,
            got=[repr(g) for g in got],
            want=[repr(w) for w in want],
            atol=repr(float(atol)),
            rtol=repr(float(rtol)),
        )
    else:
        _record(check="close_summary", what=what, n=len(want), passed=failure is None)
    if failure:
        raise AssertionError(failure)


def _dtype_note(actual, expected) -> str:
    """Why two tensors differ when the reason is their precision: a float32 result where float64 is
    expected misses a tight tolerance by ~1e-8 whatever the formula, and the digits alone hide that."""
    kinds = [getattr(type(value), "__module__", "").startswith("torch") for value in (actual, expected)]
    if not all(kinds):
        return ""
    import torch

    if all(type(value) in (torch.Tensor, torch.nn.Parameter) for value in (actual, expected)):
        got, want = torch.Tensor.__getattribute__(actual, "dtype"), torch.Tensor.__getattribute__(expected, "dtype")
        if got != want:
            return f"; your result is {got} where {want} is expected (keep the dtype of the inputs)"
    return ""


def assert_true(condition, message: str) -> None:
    """Fail unless `condition` is the real True (an object that merely claims truth does not pass)."""
    _record(check="true", what=message, passed=condition is True)
    if condition is not True:
        raise AssertionError(message)


@contextlib.contextmanager
def explained(explanation: str):
    """A test's own explanation, also when the student's code raises before the test's check can run:
    `with explained("..."): f(x).backward()` turns "RuntimeError: element 0 of tensors does not
    require grad" into an AssertionError that says what the test checks, followed by that error."""
    try:
        yield
    except (AssertionError, NotImplementedError):  # (an unfinished exercise says so itself: "exercise not done yet")
        raise
    except Exception as error:
        first_line = (str(error).strip().splitlines() or [""])[0][:300]
        raise AssertionError(f"{explanation} (your code raised {type(error).__name__}: {first_line})") from None


def assert_sympy_zero(expression, what: str = "expression") -> None:
    """The sympy expression simplifies to exactly 0."""
    import sympy

    if not isinstance(expression, sympy.Basic) or not type(expression).__module__.startswith("sympy"):
        raise AssertionError(f"{what}: expected a sympy expression, got {type(expression).__name__}")
    simplified = sympy.simplify(expression)
    _record(check="sympy_zero", what=what, simplified=str(simplified))
    if simplified != 0 or type(simplified) is not sympy.core.numbers.Zero:
        raise AssertionError(f"{what}: does not simplify to 0 (got {sympy.simplify(expression)})")
