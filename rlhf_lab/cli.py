"""Command line: `python -m rlhf_lab {pairs,build-reference,train-dpo,train-rlhf,demo} ...`."""

import argparse
import sys

from rlhf_lab.errors import CourseError


def cmd_pairs(args) -> None:
    from rlhf_lab.data import load_dialogues, write_jsonl
    from rlhf_lab.pairs import build_pairs
    from rlhf_lab.tokenizer import load_tokenizer

    pairs, counts = build_pairs(load_dialogues(args.inputs), load_tokenizer(args.tokenizer))
    for stage, count in counts.items():
        print(f"{stage:>24}: {count}")
    print(f"wrote {len(pairs)} pairs to {write_jsonl(pairs, args.output)}")


def cmd_build_reference(args) -> None:
    from rlhf_lab.reference import build_tiny_reference
    from rlhf_lab.rlhf_pipeline import proxy_reward_of
    from rlhf_lab.tokenizer import load_tokenizer

    print(build_tiny_reference())
    print(proxy_reward_of("cpu", load_tokenizer()))  # lesson 6's reward model, cached with the reference


def cmd_train_dpo(args) -> None:
    from rlhf_lab.tokenizer import load_tokenizer
    from rlhf_lab.training import train_dpo

    metrics = train_dpo(
        args.model,
        args.data,
        args.output,
        load_tokenizer(args.tokenizer),
        preset=args.preset,
        seed=args.seed,
        max_steps=args.max_steps,
    )
    print(metrics)


def cmd_train_rlhf(args) -> None:
    from rlhf_lab.rlhf_pipeline import run_rlhf
    from rlhf_lab.tokenizer import load_tokenizer

    run_rlhf(
        args.output,
        load_tokenizer(args.tokenizer),
        preset=args.preset,
        model=args.model,
        data=args.data,
        beta=args.beta,
        steps=args.steps,
        questions=args.questions,
    )


def cmd_demo(args) -> None:
    from rlhf_lab.pipeline import run_demo

    run_demo(args.output, seed=args.seed)


def build_parser() -> argparse.ArgumentParser:
    from rlhf_lab.data import EMBEDDED, HUB_DATASET
    from rlhf_lab.presets import PRESETS
    from rlhf_lab.rlhf_presets import RLHF_PRESETS
    from rlhf_lab.tokenizer import OFFLINE

    parser = argparse.ArgumentParser(prog="python -m rlhf_lab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    pairs = commands.add_parser("pairs", help="hh-rlhf dialogues -> (prompt, chosen, rejected) pairs as JSONL")
    pairs.add_argument("inputs", nargs="+", help=f".jsonl/.jsonl.gz files, folders, '{EMBEDDED}' or '{HUB_DATASET}'")
    pairs.add_argument("-o", "--output", required=True, help="the pairs file to write (.jsonl or .jsonl.gz)")
    pairs.add_argument("--tokenizer", default=OFFLINE, help="GPT-2 tokenizer for the length filter")
    pairs.set_defaults(run=cmd_pairs)

    reference = commands.add_parser(
        "build-reference", help="train and cache the tiny offline reference model and lesson 6's reward model"
    )
    reference.set_defaults(run=cmd_build_reference)

    train = commands.add_parser("train-dpo", help="DPO with TRL's DPOTrainer against a frozen reference")
    train.add_argument(
        "--model", default="tiny", help="'tiny' (offline), 'textbook' (the book's SFT model), 'gpt2' or a model folder"
    )
    train.add_argument("--data", nargs="+", default=[EMBEDDED], help=f"'{EMBEDDED}', '{HUB_DATASET}', files or folders")
    train.add_argument("--preset", choices=list(PRESETS), default="textbook")
    train.add_argument("--output", default="runs/dpo", help="folder for checkpoints, model, log and plots")
    train.add_argument("--tokenizer", default=OFFLINE)
    train.add_argument("--max-steps", type=int, help="stop after this many optimizer steps")
    train.add_argument("--seed", type=int, default=0)
    train.set_defaults(run=cmd_train_dpo)

    rlhf = commands.add_parser(
        "train-rlhf",
        help="RLHF: a proxy reward model, then RL (RLOO + PPO clipping) with a KL penalty against the frozen reference",
    )
    rlhf.add_argument(
        "--preset",
        choices=list(RLHF_PRESETS),
        default="cpu",
        help="cpu: the tiny reference on the embedded data; gpu: GPT-2 on hh-rlhf from the Hub",
    )
    rlhf.add_argument(
        "--output",
        default="runs/rlhf",
        help="folder for the checkpoint, model, metrics and plots; rerun with the same folder to resume",
    )
    rlhf.add_argument("--beta", type=float, help="KL coefficient (default: the preset's)")
    rlhf.add_argument("--steps", type=int, help="RL steps (default: the preset's)")
    rlhf.add_argument("--model", help="reference model: 'tiny', 'textbook', 'gpt2' or a folder (default: the preset's)")
    rlhf.add_argument("--data", help=f"'{EMBEDDED}', '{HUB_DATASET}', a file or a folder (default: the preset's)")
    rlhf.add_argument("--tokenizer", default=OFFLINE)
    rlhf.add_argument("--questions", type=int, help="evaluate on the first N held-out questions only")
    rlhf.set_defaults(run=cmd_train_rlhf)

    demo = commands.add_parser("demo", help="the whole offline pipeline on the embedded data")
    demo.add_argument("--output", default="runs/demo")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except CourseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0
