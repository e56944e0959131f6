"""Training curves as PNG: DPO's loss, reward margin and accuracy, RLHF's rewards and KL, and the beta sweep."""

from pathlib import Path

# A Figure made directly, not through pyplot: saving it needs no display (CI, a GPU server), and
# importing this module leaves the process's backend alone, so plt.show() still works in Jupyter.
from matplotlib.figure import Figure

CURVES = (("loss", "DPO loss"), ("rewards/margins", "reward margin"), ("rewards/accuracies", "reward accuracy"))


def plot_training(log_history: list[dict], path: str | Path, curves: tuple = CURVES) -> Path:
    """One panel per (key, title) curve from a Trainer's log_history (or RLHF_CURVES from an RLHF history);
    returns the PNG's path."""
    fig = Figure(figsize=(4 * len(curves), 3.2))
    axes = fig.subplots(1, len(curves))
    for ax, (key, title) in zip(axes, curves):
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


RLHF_CURVES = (
    ("proxy", "proxy reward r(x, y)"),
    ("gold", "gold reward (the judge)"),
    ("kl", "KL to the reference (nats)"),
    ("rate", "'Let me explain' rate"),
)


def plot_beta_sweep(histories: dict[float, list[dict]], path: str | Path) -> Path:
    """Two rows: proxy, gold and KL against the step, one line per beta; then gold and proxy against the
    KL (the over-optimisation curve of Gao et al. 2022). Returns the PNG's path."""
    fig = Figure(figsize=(13, 7))
    axes = fig.subplots(2, 3)
    for beta, history in sorted(histories.items()):
        steps = [entry["step"] for entry in history]
        for ax, key in zip(axes[0], ("proxy", "gold", "kl")):
            ax.plot(steps, [entry[key] for entry in history], label=f"beta {beta:g}")
        kl = [entry["kl"] for entry in history]
        axes[1][0].plot(kl, [entry["gold"] for entry in history], marker=".", label=f"beta {beta:g}")
        axes[1][1].plot(kl, [entry["proxy"] for entry in history], marker=".", label=f"beta {beta:g}")
    titles = (
        "proxy reward",
        "gold reward",
        "KL to the reference (nats)",
        "gold reward against KL",
        "proxy reward against KL",
    )
    for ax, title in zip(axes.flat, titles):
        ax.set_title(title)
        ax.set_xlabel("KL (nats)" if "against" in title else "step")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[1][2].axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return Path(path)
