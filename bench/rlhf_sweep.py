"""The KL coefficient swept, and RLHF against DPO on the same task from the same reference.

For each beta, `train-rlhf`'s cpu preset (rlhf_lab.rlhf_pipeline.run_rlhf) in its own folder; then lesson
5's DPO (the "cpu" preset of rlhf_lab.training) from the same tiny reference, evaluated the same way
(greedy answers to the 106 held-out questions, the gold and proxy rewards, KL by sampling). Writes
sweep.json, sweep.md (both tables) and sweep.png (proxy, gold and KL against the step; gold and proxy
against the KL: the over-optimisation curve). Folders that exist are resumed, not retrained.

    python bench/rlhf_sweep.py --output runs/sweep                   # betas 0, 0.05, 0.2, 0.5, 1
    python bench/rlhf_sweep.py --output runs/sweep --betas 0 0.5 --steps 30
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rlhf_lab.data import EMBEDDED  # noqa: E402
from rlhf_lab.models import load_causal_lm  # noqa: E402
from rlhf_lab.plots import plot_beta_sweep  # noqa: E402
from rlhf_lab.proxy_reward import build_proxy_reward, load_proxy_reward  # noqa: E402
from rlhf_lab.reference import build_tiny_reference  # noqa: E402
from rlhf_lab.rlhf_pipeline import evaluate_policy, rlhf_task, run_rlhf, table_row  # noqa: E402
from rlhf_lab.rlhf_presets import RLHF_PRESETS  # noqa: E402
from rlhf_lab.sampling import active_vocabulary  # noqa: E402
from rlhf_lab.tokenizer import load_tokenizer  # noqa: E402
from rlhf_lab.training import train_dpo  # noqa: E402

COLUMNS = ("rate_after", "degenerate_after", "on_topic_after", "gold_after", "proxy_after", "kl_after", "train_seconds")


def run_dpo(output: Path, tokenizer) -> dict:
    """Lesson 5's DPO from the tiny reference, scored like the RLHF runs."""
    preset = RLHF_PRESETS["cpu"]
    task = rlhf_task(EMBEDDED, tokenizer)
    reference_path = build_tiny_reference()
    training = train_dpo(str(reference_path), [EMBEDDED], output, tokenizer, preset="cpu", pairs=task["train"])
    reward_model = load_proxy_reward(
        build_proxy_reward(reference_path, tokenizer, task["train"], task["heldout"], preset["reward"])
    )
    reference = load_causal_lm(reference_path).eval()
    policy = load_causal_lm(output / "model").eval()
    evaluation = dict(eval_samples=preset["eval_samples"], max_new_tokens=preset["rl"]["max_new_tokens"])
    vocabulary = active_vocabulary(reference)
    before, _ = evaluate_policy(
        reference, reference, reward_model, tokenizer, task, vocabulary, label="reference", **evaluation
    )
    after, scores = evaluate_policy(
        policy, reference, reward_model, tokenizer, task, vocabulary, label="DPO", **evaluation
    )
    return {
        **table_row(task, before, after, scores),
        "train_seconds": training["train_seconds"],
    }


def table(rows: dict[str, dict]) -> str:
    lines = ["| run | " + " | ".join(COLUMNS) + " |", "|" + "---|" * (len(COLUMNS) + 1)]
    for name, metrics in rows.items():
        lines.append(f"| {name} | " + " | ".join(f"{metrics[c]:.3f}" for c in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="runs/sweep")
    parser.add_argument("--betas", type=float, nargs="+", default=[0.0, 0.05, 0.2, 0.5, 1.0])
    parser.add_argument("--steps", type=int, help="RL steps (default: the cpu preset's)")
    parser.add_argument("--no-dpo", action="store_true", help="skip the DPO run")
    args = parser.parse_args()
    output = Path(args.output)
    tokenizer = load_tokenizer()
    started = time.perf_counter()

    rows, histories = {}, {}
    for beta in args.betas:
        folder = output / f"beta-{beta:g}"
        rows[f"RLHF beta {beta:g}"] = run_rlhf(folder, tokenizer, beta=beta, steps=args.steps)
        histories[beta] = [json.loads(line) for line in (folder / "history.jsonl").read_text().splitlines()]
    if not args.no_dpo:
        rows["DPO (lesson 5)"] = run_dpo(output / "dpo", tokenizer)
    reference_row = next(iter(rows.values()))
    rows = {
        "reference": {
            "rate_after": reference_row["rate_before"],
            "degenerate_after": reference_row["degenerate_before"],
            "on_topic_after": reference_row["on_topic_before"],
            "gold_after": reference_row.get("gold_before", float("nan")),
            "proxy_after": reference_row.get("proxy_before", float("nan")),
            "kl_after": 0.0,
            "train_seconds": 0.0,
        },
        **rows,
    }

    plot_beta_sweep(histories, output / "sweep.png")
    (output / "sweep.json").write_text(json.dumps(rows, indent=1))
    (output / "sweep.md").write_text(table(rows) + "\n")
    print(table(rows))
    print(f"{time.perf_counter() - started:.0f} s in all; results in {output}/ (sweep.md, sweep.json, sweep.png)")


if __name__ == "__main__":
    main()
