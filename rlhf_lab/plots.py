"""Training curves as PNG: loss, reward margin and reward accuracy against the step."""

from pathlib import Path

# A Figure made directly, not through pyplot: saving it needs no display (CI, a GPU server), and
# importing this module leaves the process's backend alone, so plt.show() still works in Jupyter.
from matplotlib.figure import Figure

CURVES = (("loss", "DPO loss"), ("rewards/margins", "reward margin"), ("rewards/accuracies", "reward accuracy"))


def plot_training(log_history: list[dict], path: str | Path) -> Path:
    """One panel per curve from a Trainer's log_history; returns the PNG's path."""
    fig = Figure(figsize=(4 * len(CURVES), 3.2))
    axes = fig.subplots(1, len(CURVES))
    for ax, (key, title) in zip(axes, CURVES):
        points = [(entry["step"], entry[key]) for entry in log_history if key in entry]
        if points:
            steps, values = zip(*points)
            ax.plot(steps, values, marker="o", markersize=2)
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return Path(path)
