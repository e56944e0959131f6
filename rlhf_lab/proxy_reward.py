"""The proxy reward model of RLHF: lesson 1's reward model, trained on lesson 5's preference pairs.

The pairs say "the answer that opens with 'Let me explain. ' is preferred to the same answer without
it". A reward model learns that ranking with the Bradley-Terry loss; RL then maximises its score. The
model scores the text "prompt + answer" without an end-of-text token, exactly the text TRL's
RLOOTrainer hands a reward model (it decodes answers without special tokens), so the same model serves
our loop and TRL's. Its backbone starts from the reference (SFT) model, as InstructGPT's did.

Trained once per (reference, pairs, settings) and cached next to the reference model.
"""

import json
from pathlib import Path

import torch
from transformers import GPT2Config, GPT2ForSequenceClassification, PreTrainedModel, PreTrainedTokenizerBase

from rlhf_lab.cache import cached_folder, fingerprint
from rlhf_lab.reward_model import RewardModel, encode_reward_pairs, pairwise_accuracy, train_reward_model

REWARD_RECIPE_VERSION = 1  # part of the cache key: bump it when the recipe below changes what it produces
WEIGHTS = "reward_model.pt"


def reward_texts(pairs: list[dict], eos_token: str) -> list[dict]:
    """Preference pairs as the whole texts a reward model reads: {"chosen", "rejected"} = prompt + answer."""
    return [
        {side: pair["prompt"] + pair[side].removesuffix(eos_token) for side in ("chosen", "rejected")} for pair in pairs
    ]


def reward_model_from(reference: PreTrainedModel, seed: int = 0) -> RewardModel:
    """A last-token reward model whose backbone is a copy of the reference's transformer."""
    model = RewardModel(reference.config, pooling="last", seed=seed)
    model.backbone.load_state_dict(reference.transformer.state_dict())
    return model


def build_proxy_reward(
    reference_path: str | Path,
    tokenizer: PreTrainedTokenizerBase,
    train_pairs: list[dict],
    heldout_pairs: list[dict],
    settings: dict,
) -> Path:
    """Train (once) and cache the proxy reward model; returns its folder (weights, config, log).

    settings: train_reward_model's keyword arguments plus "max_tokens" and "seed". The log records the
    held-out pairwise accuracy, the share of held-out pairs the model ranks as people did.
    """
    from rlhf_lab.models import load_causal_lm

    reference_path = Path(reference_path)
    key = fingerprint(REWARD_RECIPE_VERSION, reference_path.name, settings, train_pairs, heldout_pairs)

    def build(folder: Path) -> None:
        model = reward_model_from(load_causal_lm(reference_path), seed=settings["seed"])
        # The token embedding is most of the parameters and the reference already learned it: frozen,
        # a step costs a fraction of the time.
        model.backbone.wte.requires_grad_(False)
        train = encode_reward_pairs(tokenizer, reward_texts(train_pairs, tokenizer.eos_token), settings["max_tokens"])
        heldout = encode_reward_pairs(
            tokenizer, reward_texts(heldout_pairs, tokenizer.eos_token), settings["max_tokens"]
        )
        training = {name: value for name, value in settings.items() if name != "max_tokens"}
        losses = train_reward_model(model, train, **training)
        torch.save(model.state_dict(), folder / WEIGHTS)
        log = {
            "settings": settings,
            "train_pairs": len(train_pairs),
            "heldout_pairs": len(heldout_pairs),
            "train_accuracy": pairwise_accuracy(model, train),
            "heldout_accuracy": pairwise_accuracy(model, heldout),
            "losses": losses,
        }
        (folder / "reward_log.json").write_text(json.dumps(log))
        (folder / "config.json").write_text(model.backbone.config.to_json_string())

    return cached_folder(f"proxy-reward-{reference_path.name}-{key}", build)


def load_proxy_reward(folder: str | Path) -> RewardModel:
    """The cached proxy reward model, in eval mode and frozen."""
    folder = Path(folder)
    model = RewardModel(GPT2Config.from_json_file(folder / "config.json"), pooling="last")
    model.load_state_dict(torch.load(folder / WEIGHTS, weights_only=True))
    return model.eval().requires_grad_(False)


def proxy_log(folder: str | Path) -> dict:
    return json.loads((Path(folder) / "reward_log.json").read_text())


@torch.no_grad()
def proxy_scores(
    model: RewardModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: list[str],
    answers: list[str],
    batch_size: int = 128,
) -> torch.Tensor:
    """r(x, y) of each (prompt, answer) as TRL scores it: the text prompt + answer, right-padded, no eos."""
    scores = []
    for start in range(0, len(prompts), batch_size):
        texts = [
            p + a for p, a in zip(prompts[start : start + batch_size], answers[start : start + batch_size], strict=True)
        ]
        batch = tokenizer(texts, return_tensors="pt", padding=True, padding_side="right", add_special_tokens=False)
        scores.append(model(batch["input_ids"], batch["attention_mask"]))
    return torch.cat(scores) if scores else torch.zeros(0)


def as_sequence_classifier(model: RewardModel, pad_token_id: int) -> GPT2ForSequenceClassification:
    """The same reward model as transformers' GPT2ForSequenceClassification, the class TRL loads.

    Its score layer has no bias, so scores differ from ours by the constant head bias: Bradley-Terry
    losses and leave-one-out advantages, which see only differences, are unchanged. It pools the last
    token that is not the pad token, ours the last one the attention mask marks: the same token as long
    as texts hold no pad (eos) token, which is how both are used.
    """
    settings = {
        name: value for name, value in model.backbone.config.to_dict().items() if name not in ("id2label", "label2id")
    }
    config = GPT2Config.from_dict({**settings, "num_labels": 1, "pad_token_id": pad_token_id})
    classifier = GPT2ForSequenceClassification(config)
    classifier.transformer.load_state_dict(model.backbone.state_dict())
    with torch.no_grad():
        classifier.score.weight.copy_(model.head.weight)
    return classifier.eval()
