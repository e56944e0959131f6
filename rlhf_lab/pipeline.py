"""The embedded end-to-end run: pairs -> tiny reference -> DPO with TRL -> before/after evaluation."""

import json
import time
from pathlib import Path

from rlhf_lab.data import EMBEDDED, load_dialogues, write_jsonl
from rlhf_lab.embedded import heldout_questions, topic_answers
from rlhf_lab.evaluation import compare, generate_answers
from rlhf_lab.models import load_causal_lm
from rlhf_lab.pairs import build_pairs
from rlhf_lab.reference import SFT_SETTINGS, build_tiny_reference
from rlhf_lab.tokenizer import OFFLINE, load_tokenizer
from rlhf_lab.training import train_dpo


def print_table(questions: list[str], before: list[str], after: list[str], rows: int = 8, width: int = 58) -> None:
    def cut(text: str) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    print(f"\n{'question':<40} | {'before DPO':<{width}} | after DPO")
    print("-" * (40 + 2 * width + 6))
    for question, old, new in list(zip(questions, before, after))[:rows]:
        print(f"{cut(question)[:40]:<40} | {cut(old):<{width}} | {cut(new)}")


def run_demo(
    output_dir: str | Path = "runs/demo",
    seed: int = 0,
    sft_settings: dict = SFT_SETTINGS,
    max_steps: int | None = None,
    questions: int | None = None,
) -> dict:
    """Run the whole offline pipeline and write answers, plots and metrics.json under output_dir.

    The defaults are the demo's; tests pass a smaller SFT, fewer DPO steps and fewer questions.
    """
    started = time.perf_counter()
    output_dir = Path(output_dir)
    tokenizer = load_tokenizer(OFFLINE)

    pairs, counts = build_pairs(load_dialogues(EMBEDDED), tokenizer)
    write_jsonl(pairs, output_dir / "pairs.jsonl")
    print(f"pairs after each stage: {counts}")

    sft_started = time.perf_counter()
    reference_path = build_tiny_reference(sft_settings)
    sft_seconds = time.perf_counter() - sft_started
    print(f"reference model: {reference_path} ({sft_seconds:.1f} s)")

    taught = topic_answers()
    expected = taught[:questions]
    questions = heldout_questions()[:questions]
    before = generate_answers(load_causal_lm(reference_path), tokenizer, questions, desc="answers before DPO")
    training = train_dpo(
        str(reference_path),
        [EMBEDDED],
        output_dir,
        tokenizer,
        preset="cpu",
        seed=seed,
        pairs=pairs,
        max_steps=max_steps,
    )
    after = generate_answers(load_causal_lm(output_dir / "model"), tokenizer, questions, desc="answers after DPO")

    write_jsonl(
        [{"question": q, "before": b, "after": a} for q, b, a in zip(questions, before, after)],
        output_dir / "answers.jsonl",
    )
    comparison = compare(questions, before, after, expected, taught_answers=taught)
    metrics = {
        "pairs": len(pairs),
        **comparison,
        "final_loss": training["final_loss"],
        "reward_accuracy": training["reward_accuracy"],
        "dpo_steps": training["steps"],
        "sft_seconds": round(sft_seconds, 2),
        "train_seconds": training["train_seconds"],
        "total_seconds": round(time.perf_counter() - started, 2),
    }
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=1))

    print_table(questions, before, after)
    print(
        f"\n'Let me explain' rate on {len(questions)} held-out questions: "
        f"{comparison['rate_before']:.0%} before -> {comparison['rate_after']:.0%} after DPO; "
        f"degenerate after: {comparison['degenerate_after']:.0%} (before {comparison['degenerate_before']:.0%}); "
        f"on topic: {comparison['on_topic_before']:.0%} -> {comparison['on_topic_after']:.0%}; "
        f"content similarity to the reference's answers: {comparison['content_similarity']:.2f}"
    )
    print(
        f"final DPO loss {metrics['final_loss']:.4f}, {metrics['total_seconds']:.0f} s in all; "
        f"results in {output_dir}/ (metrics.json, answers.jsonl, training.png)"
    )
    return metrics
