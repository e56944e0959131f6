"""rlhf_lab.plots writes PNGs with no display and leaves the process's matplotlib backend alone."""

import os
import subprocess
import sys

import matplotlib.image

SCRIPT = """
import sys
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")  # what a Jupyter kernel uses
from rlhf_lab.plots import plot_training
history = [{"step": 1, "loss": 0.69, "rewards/margins": 0.0, "rewards/accuracies": 0.5},
           {"step": 2, "loss": 0.60, "rewards/margins": 0.3, "rewards/accuracies": 0.75}]
plot_training(history, sys.argv[1])
print(matplotlib.get_backend())
"""


def run_headless(script: str, png) -> subprocess.CompletedProcess:
    """`script` in a fresh Python with no display and no backend chosen by the environment."""
    environment = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "MPLBACKEND")}
    return subprocess.run(
        [sys.executable, "-c", script, str(png)], capture_output=True, text=True, env=environment, timeout=120
    )


def test_plot_training_keeps_the_jupyter_backend_and_needs_no_display(tmp_path):
    png = tmp_path / "training.png"
    run = run_headless(SCRIPT, png)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "module://matplotlib_inline.backend_inline", (
        "importing rlhf_lab.plots switched the backend"
    )
    height, width, _ = matplotlib.image.imread(png).shape
    assert (width, height) == (1200, 320), "three 4 x 3.2 inch panels at 100 dpi"


def test_plot_training_works_in_a_headless_script(tmp_path):
    png = tmp_path / "training.png"
    run = run_headless(SCRIPT.replace('matplotlib.use("module://matplotlib_inline.backend_inline")', ""), png)
    assert run.returncode == 0, run.stderr
    assert png.stat().st_size > 0
