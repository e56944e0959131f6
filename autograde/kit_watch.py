"""The grader's watch of the course kit while an exercise's test cell runs (inside the student's kernel).

An answer that only imports the kit's implementation (`from rlhf_lab.policy_gradient import
leave_one_out_advantages`) would pass every hidden test, since they compare with the kit. When the
grader runs a graded test cell that has kit functions in autograde/kit_exercises.py, its first line
is `arm_line(...)` (autograde/execute.py puts it there and takes it out again). From then until the
cell ends, a trace function sees the start of every Python function call ('call' events only; about
15% slower Python, nothing for code that runs in C) and notes each start of a watched kit function,
recognised by its code object: the same function is caught under any name, bound early, wrapped,
or called through its module. Who called it decides, the library frames in between skipped (the kit
itself, the standard library, site-packages: code under `sys.prefix` or in `autograde`/`rlhf_lab`):
- the student's code (an answer cell, a file the student wrote or that the test loaded, code
  compiled from a string): the student's function calls the kit;
- the test cell's own code: a reference value, unless a name the exercise asks for, in the test's
  namespace or in a module of the student's that the test loaded, is the kit function itself, or
  wraps it in C (functools.partial, functools.wraps-style `__wrapped__`, a method, a `__call__`);
- nothing at all: the kit ran outside the test's calls (a thread the student started).

When the cell ends (IPython's post_run_cell), the watch is taken down and leaves a record of what it
saw in the cell's outputs (autograde.checks' record format, check "kit_watch"), whether or not its
trace function was still the one in place (student code that calls sys.settrace turns it off).
autograde/verdict.py decides from that record, outside the kernel; a cell that should carry one and
does not fails too. What it cannot see is in docs/threat-model.md.
"""

import functools
import importlib
import inspect
import os
import sys
import threading
import types

from autograde.checks import _record

WATCH_CHECK = "kit_watch"  # the record's "check"
_MAX_DELEGATIONS = 20  # records kept per cell (a loop of calls reports each way once anyway)


def arm_line(functions: tuple[str, ...]) -> str:
    """The line the grader puts before a test cell's code (one line: the cell's own lines keep their numbers +1)."""
    return f"__import__('autograde.kit_watch').kit_watch.watch({list(functions)!r})  # the grader's kit watch"


def kit_function(dotted: str) -> types.FunctionType:
    """The kit's function named `dotted` (rlhf_lab.module.name), decorators removed."""
    module, _, name = dotted.rpartition(".")
    return inspect.unwrap(getattr(importlib.import_module(module), name))


@functools.cache
def _library_roots() -> tuple[str, ...]:
    import rlhf_lab

    roots = {os.path.dirname(__file__), os.path.dirname(rlhf_lab.__file__)}
    roots |= {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    return tuple(os.path.join(os.path.realpath(root), "") for root in roots)


@functools.cache
def is_library(filename: str) -> bool:
    """Code of the kit, the grader, Python or an installed package (not the student's, not the test's)."""
    if filename.startswith("<frozen "):
        return True
    if filename.startswith("<"):  # <string>, <stdin>: compiled by someone's exec
        return False
    return os.path.realpath(filename).startswith(_library_roots())


def _code_under(value) -> types.CodeType | None:
    """The code of the Python function that calling `value` runs first, through wrappers that run in C."""
    for _ in range(20):
        if isinstance(value, types.FunctionType):
            return value.__code__
        if isinstance(value, functools.partial):
            value = value.func
        elif isinstance(value, (types.MethodType, staticmethod, classmethod)):
            value = value.__func__
        elif getattr(value, "__wrapped__", None) is not None:
            value = value.__wrapped__
        elif callable(value) and not isinstance(value, type) and not isinstance(value, types.BuiltinFunctionType):
            value = type(value).__call__
        else:
            return None
    return None


class Watch:
    """What one test cell's run did with the watched kit functions (the part that needs no IPython)."""

    def __init__(self, functions: list[str], test_file: str):
        self.codes = {kit_function(dotted).__code__: dotted for dotted in functions}
        self.answer_names = {dotted.rpartition(".")[2] for dotted in functions}
        self.test_file = test_file
        self.delegations: list[dict] = []

    def trace(self, frame, event, arg):
        """sys.settrace's function: called at the start of each Python function; no line tracing."""
        dotted = self.codes.get(frame.f_code)
        if dotted is not None:
            found = self._delegation(frame)
            if found and len(self.delegations) < _MAX_DELEGATIONS:
                found["function"] = dotted
                if found not in self.delegations:
                    self.delegations.append(found)
        return None

    def _delegation(self, frame) -> dict | None:
        """Who reached the kit function running in `frame`, if not the test's own reference call."""
        caller = frame.f_back
        while caller is not None and is_library(caller.f_code.co_filename):
            caller = caller.f_back
        if caller is None:
            return {"kind": "outside", "by": "code the tests did not call (another thread?)"}
        if caller.f_code.co_filename != self.test_file:
            code = caller.f_code
            name = os.path.basename(code.co_filename) if code.co_name == "<module>" else code.co_name
            return {"kind": "calls", "by": name}
        for name, value in self._answers(caller.f_globals):
            if _code_under(value) is frame.f_code:
                return {"kind": "is", "by": name}
        return None

    def _answers(self, namespace: dict):
        """(name, value) of each name the exercise asks for: in the test's namespace, and in the
        student's modules it holds (lesson 5's script, loaded by the test)."""
        for name in self.answer_names:
            if name in namespace:
                yield name, namespace[name]
        for module in list(namespace.values()):
            if isinstance(module, types.ModuleType) and not is_library(getattr(module, "__file__", None) or "<"):
                for name in self.answer_names:
                    if name in vars(module):
                        yield name, vars(module)[name]

    def start(self) -> None:
        threading.settrace(self.trace)
        sys.settrace(self.trace)

    def stop(self) -> dict:
        """Takes the watch down; its record."""
        intact = sys.gettrace() == self.trace
        sys.settrace(None)
        threading.settrace(None)
        return {"watched": [*self.codes.values()], "delegated": self.delegations, "intact": intact}


def watch(functions: list[str]) -> None:
    """Called by the grader's first line of a test cell: watch until the cell ends, then record."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("the kit watch runs in an IPython kernel")
    current = Watch(functions, sys._getframe(1).f_code.co_filename)

    def report(result=None) -> None:
        if result is not None and not str(getattr(result.info, "raw_cell", "")).startswith(arm_line(functions)):
            return  # a cell run from inside this one: the watch goes on
        shell.events.unregister("post_run_cell", report)
        _record(check=WATCH_CHECK, what="the course kit", **current.stop())

    shell.events.register("post_run_cell", report)
    current.start()
