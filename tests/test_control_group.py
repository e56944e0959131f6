"""autograde/control_group.py: a submission's whole process tree under one memory and process limit.

The real-kernel tests need write access to the cgroup filesystem (root); elsewhere they are skipped
with the reason (failed in CI: tests/required_in_ci.py), and grading keeps its per-process limits
(tests/test_adversarial.py covers both).
"""

import subprocess
import sys
import textwrap

import pytest
from required_in_ci import skip_outside_ci

from autograde import control_group


@pytest.fixture
def cgroups_work():
    if not control_group.works():
        skip_outside_ci("cannot make control groups here (needs root and cgroup v1 or v2)")


needs_cgroups = pytest.mark.usefixtures("cgroups_work")

# Children that each stay far below a per-process limit but together pass the group's memory, then
# a fork loop that meets its process limit; prints what happened to them.
TREE_BOMB = textwrap.dedent("""
    import os, time
    children = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:
            try:
                hoard = b"x" * (100 * 2**20)
                time.sleep(0.5)
            finally:
                os._exit(0)
        children.append(pid)
    statuses = [os.waitpid(pid, 0)[1] for pid in children]
    print("killed", sum(os.WIFSIGNALED(status) for status in statuses))
    forks = 0
    try:
        for _ in range(100):
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            forks += 1
    except OSError:
        pass
    print("forks", forks)
""")


@needs_cgroups
def test_a_group_bounds_the_memory_and_processes_of_a_whole_tree(tmp_path):
    group = control_group.create("test-tree-bomb", memory_mb=250, processes=16)
    try:
        # (Into a file: the sleeping children keep a pipe open, and they are the point.)
        with (tmp_path / "out").open("w") as out:
            done = subprocess.run(group.wrap([sys.executable, "-c", TREE_BOMB]), stdout=out, timeout=60)
        report = dict(line.split() for line in (tmp_path / "out").read_text().splitlines())
        assert done.returncode == 0
        assert int(report["killed"]) >= 1  # 4 x 100 MB does not fit in 250 MB with the parent
        assert group.oom_kills() == int(report["killed"])
        assert 0 < group.peak_mb() <= 250
        assert int(report["forks"]) < 16  # the parent and its own threads count too
    finally:
        group.close()
    # The sleeping children outlived their parent; closing the group killed them and removed it.
    assert not any(path.exists() for path in group.paths)


@needs_cgroups
def test_a_command_in_a_group_stays_there():
    group = control_group.create("test-membership", memory_mb=64, processes=8)
    try:
        shown = subprocess.run(group.wrap(["cat", "/proc/self/cgroup"]), capture_output=True, text=True).stdout
        hierarchies = ("",) if group.version == 2 else control_group.CONTROLLERS
        lines = [line for line in shown.splitlines() if line.split(":")[1] in hierarchies]
        assert len(lines) == len(hierarchies)
        assert all(line.endswith(f"/{control_group.PARENT}/test-membership") for line in lines)
    finally:
        group.close()


def test_cgroup_v2_files_are_the_ones_the_kernel_reads(tmp_path):
    """The v2 layout on an imitation of /sys/fs/cgroup (the machines that run the suite have v1)."""
    (tmp_path / "cgroup.controllers").write_text("cpu memory pids\n")
    group = control_group.create("student", memory_mb=300, processes=40, root=tmp_path)
    folder = tmp_path / control_group.PARENT / "student"
    assert group == control_group.ControlGroup(2, (folder,))
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+memory +pids"
    assert (tmp_path / control_group.PARENT / "cgroup.subtree_control").read_text() == "+memory +pids"
    assert (folder / "memory.max").read_text() == str(300 * 2**20)
    assert (folder / "pids.max").read_text() == "40"
    (folder / "memory.peak").write_text(str(120 * 2**20))
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\noom_group_kill 0\n")
    assert group.peak_mb() == 120
    assert group.oom_kills() == 2
    assert group.wrap(["python", "notebook"])[-2:] == ["python", "notebook"]
    assert f"echo $$ > {folder / 'cgroup.procs'} && exec" in group.wrap(["python"])[2]


def test_no_cgroup_filesystem_means_no_group(tmp_path):
    assert control_group.create("student", 300, 40, root=tmp_path) is None
    assert not control_group.works(root=tmp_path)
