"""Run nbgrader's command-line apps with this course's configuration, in a given course directory."""

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from autograde.environment import grader_environment
from autograde.paths import CourseDir

# traitlets appends ".py" itself; naming the file with its suffix makes nbgrader warn, wrongly, that
# it found no config file.
CONFIG_FILE = Path(__file__).with_name("nbgrader_config.py").with_suffix("")


@dataclass(frozen=True)
class Run:
    """What one nbgrader command did: its exit code (None when stopped at the time limit) and log."""

    returncode: int | None
    log: str
    timeout: float | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def reason(self) -> str:
        """One line saying why the command failed, for a summary or an error message."""
        if self.returncode is None:
            return f"stopped at the time limit ({self.timeout:g} s)"
        # nbgrader logs the traceback of a failed notebook; its last exception line is the cause
        # ("nbclient.exceptions.DeadKernelError: Kernel died" gives "DeadKernelError: Kernel died").
        exception_lines = re.findall(r"^\s*(?:\w+\.)*(\w*(?:Error|Exception)\b.*)$", self.log, re.MULTILINE)
        if exception_lines:
            return exception_lines[-1].strip()
        # Otherwise the first error nbgrader logged (the ones after it are hints such as "Did you mean").
        error_lines = re.findall(r"^\[\w+ \| ERROR\] (.*)$", self.log, re.MULTILINE)
        return error_lines[0] if error_lines else f"nbgrader exited with code {self.returncode}"


def run_nbgrader(course: CourseDir, command: str, *args: str, timeout: float | None = None) -> Run:
    """`python -m nbgrader COMMAND ARGS` with autograde/nbgrader_config.py, in `course`."""
    return run(nbgrader_argv(course, command, *args), course.root, grader_environment(), timeout)


def nbgrader_argv(course: CourseDir, command: str, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "nbgrader",
        command,
        *args,
        f"--NbGrader.config_file={CONFIG_FILE}",
        *course.options(),
    ]


def run(argv: list[str], cwd: Path, environment: dict[str, str], timeout: float | None) -> Run:
    """Run `argv`, stopping it and everything it started at `timeout` seconds."""
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=environment,
        text=True,
        errors="replace",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # Its own process group, so that a time limit stops nbgrader and anything it started (a
        # sandbox takes its whole pid namespace down with it).
        start_new_session=True,
    )
    try:
        log, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        log, _ = process.communicate()
        return Run(None, log, timeout)
    return Run(process.returncode, log, timeout)
