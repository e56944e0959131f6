"""DPO throughput at the textbook's scale: TRL as the book configures it, TRL tuned, and our own loop.

One run trains each variant on the same pairs with GPT-2 small's exact architecture (random weights:
throughput does not depend on them) and reports seconds per epoch, pairs/s, tokens/s, model FLOP
utilisation, peak GPU memory, final loss and reward accuracy, as a table and as JSON.

    python bench/dpo_throughput.py                      # on a GPU: 48,201 pairs, GPT-2 124M
    python bench/dpo_throughput.py --max-steps 300      # time part of the epoch, extrapolate
    python bench/dpo_throughput.py --quick              # CPU smoke run (CI): tiny model, 64 pairs

Pairs come from the real hh-rlhf rows in ../shared/data/hh-rlhf when present (their length
distribution is what costs time), else from the embedded data, repeated to the requested count.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch
from datasets import Dataset

from rlhf_lab.data import EMBEDDED, load_dialogues
from rlhf_lab.dpo_loop import train_dpo_from_scratch
from rlhf_lab.models import gpt2_124m_config, new_model, tiny_gpt2_config
from rlhf_lab.pairs import build_pairs
from rlhf_lab.tokenizer import encode_prompt_completion, load_tokenizer
from rlhf_lab.training import TEXTBOOK, CourseDPOTrainer, dpo_config, final_log_values

REAL_ROWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "hh-rlhf"
TEXTBOOK_PAIRS = 48_201
# Dense bf16 peak of the chips we are lent (vendor datasheets); MFU is reported against it.
PEAK_FLOPS = {"H100": 989e12, "H200": 989e12}


def bench_pairs(count: int, tokenizer) -> tuple[list[dict], str]:
    source = str(REAL_ROWS) if REAL_ROWS.exists() else EMBEDDED
    pairs, _ = build_pairs(load_dialogues(source), tokenizer)
    return [pairs[i % len(pairs)] for i in range(count)], source


def pair_tokens(pairs: list[dict], tokenizer) -> int:
    """Tokens one epoch pushes through the policy: prompt + chosen and prompt + rejected."""
    total = 0
    for pair in pairs:
        prompt, chosen = encode_prompt_completion(tokenizer, pair["prompt"], pair["chosen"])
        _, rejected = encode_prompt_completion(tokenizer, pair["prompt"], pair["rejected"])
        total += 2 * len(prompt) + len(chosen) + len(rejected)
    return total


def peak_flops() -> float | None:
    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name()
    return next((flops for chip, flops in PEAK_FLOPS.items() if chip in name), None)


def run_trl(preset: str, model_config, pairs, tokenizer, max_steps: int | None, output_dir: Path) -> dict:
    """One TRL DPOTrainer run; returns timing of trainer.train() and its last logged values."""
    policy, reference = new_model(model_config, 0), new_model(model_config, 0).eval().requires_grad_(False)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    policy.to(device), reference.to(device)
    overrides = {"save_strategy": "no", "logging_steps": 1, "max_steps": max_steps or -1, "disable_tqdm": True}
    trainer = CourseDPOTrainer(
        model=policy,
        ref_model=reference,
        args=dpo_config(preset, output_dir, **overrides),
        train_dataset=Dataset.from_list(pairs),
        processing_class=tokenizer,
    )
    if torch.cuda.is_available():
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    trainer.train()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    args = trainer.args
    pairs_done = trainer.state.global_step * args.per_device_train_batch_size * args.gradient_accumulation_steps
    return {
        "seconds": seconds,
        "pairs_done": min(pairs_done, len(pairs)),
        **final_log_values(trainer.state.log_history),
    }


def run_scratch(model_config, pairs, tokenizer, max_steps: int | None, output_dir: Path) -> dict:
    """The course's own loop with the textbook's optimisation (16 pairs a step, lr 1e-5, beta 0.3)."""
    device = "cuda" if torch.cuda.is_available() else "cpu"
    policy = new_model(model_config, 0).to(device)
    reference = new_model(model_config, 0).to(device)
    batch_size = TEXTBOOK["per_device_train_batch_size"] * TEXTBOOK["gradient_accumulation_steps"]
    steps = max_steps or -(-len(pairs) // batch_size)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    history = train_dpo_from_scratch(
        policy,
        reference,
        tokenizer,
        pairs,
        steps,
        batch_size,
        TEXTBOOK["learning_rate"],
        TEXTBOOK["beta"],
        bf16=torch.cuda.is_available(),
    )
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return {
        "seconds": time.perf_counter() - started,
        "pairs_done": min(steps * batch_size, len(pairs)),
        "final_loss": history[-1]["loss"],
        "reward_accuracy": history[-1]["reward_accuracy"],
    }


VARIANTS = {
    "trl_textbook": lambda *a: run_trl("textbook", *a),
    "trl_tuned": lambda *a: run_trl("gpu", *a),
    "scratch": run_scratch,
}


def report(name: str, run: dict, n_pairs: int, tokens_per_pair: float, n_params: int) -> dict:
    """Per-variant figures; an epoch's time is extrapolated when only part of it was run."""
    epoch_seconds = run["seconds"] * n_pairs / run["pairs_done"]
    tokens_per_second = tokens_per_pair * run["pairs_done"] / run["seconds"]
    # Policy forward + backward (6 N per token) and the reference's forward (2 N per token).
    flops_per_second = 8 * n_params * tokens_per_second
    peak = peak_flops()
    return {
        "variant": name,
        "epoch_seconds": round(epoch_seconds, 1),
        "extrapolated": run["pairs_done"] < n_pairs,
        "pairs_per_second": round(run["pairs_done"] / run["seconds"], 2),
        "tokens_per_second": round(tokens_per_second),
        "mfu": round(flops_per_second / peak, 4) if peak else None,
        "peak_memory_gb": round(torch.cuda.max_memory_allocated() / 1e9, 2) if torch.cuda.is_available() else None,
        "final_loss": run["final_loss"],
        "reward_accuracy": run["reward_accuracy"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="CPU smoke size: tiny model, 64 pairs")
    parser.add_argument("--pairs", type=int, help=f"pairs per epoch (default {TEXTBOOK_PAIRS:,}; 64 with --quick)")
    parser.add_argument("--max-steps", type=int, help="optimizer steps per variant (default: one epoch)")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    tokenizer = load_tokenizer()
    n_pairs = args.pairs or (64 if args.quick else TEXTBOOK_PAIRS)
    model_config = tiny_gpt2_config() if args.quick else gpt2_124m_config()
    pairs, source = bench_pairs(n_pairs, tokenizer)
    tokens_per_pair = pair_tokens(pairs, tokenizer) / n_pairs
    n_params = sum(p.numel() for p in new_model(model_config, 0).parameters())
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
    print(
        f"{n_pairs:,} pairs from {source}, {tokens_per_pair:.0f} tokens per pair, "
        f"{n_params / 1e6:.1f}M parameters, on {device}",
        flush=True,
    )

    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.variants:
            run = VARIANTS[name](model_config, pairs, tokenizer, args.max_steps, Path(scratch) / name)
            results.append(report(name, run, n_pairs, tokens_per_pair, n_params))
            print(json.dumps(results[-1]), flush=True)

    header = f"{'variant':<14} {'s/epoch':>9} {'pairs/s':>9} {'tokens/s':>10} {'MFU':>6} {'GPU GB':>7}"
    print(f"\n{header} {'loss':>7} {'acc':>5}")
    for r in results:
        mfu = f"{r['mfu']:.1%}" if r["mfu"] is not None else "-"
        memory = f"{r['peak_memory_gb']:.1f}" if r["peak_memory_gb"] is not None else "-"
        loss = f"{r['final_loss']:.4f}" if r["final_loss"] is not None else "-"
        accuracy = f"{r['reward_accuracy']:.2f}" if r["reward_accuracy"] is not None else "-"
        print(
            f"{r['variant']:<14} {r['epoch_seconds']:>9.1f} {r['pairs_per_second']:>9.1f} "
            f"{r['tokens_per_second']:>10,} {mfu:>6} {memory:>7} {loss:>7} {accuracy:>5}"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"device": device, "pairs": n_pairs, "source": source, "results": results}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
