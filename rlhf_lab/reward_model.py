"""A reward model r_theta(x, y): a transformer backbone plus a linear head that outputs one number.

Shapes: B = batch, T = sequence length, H = hidden size, K = ranked answers per prompt.

The backbone reads the whole dialogue (prompt x and answer y) and gives one hidden state per token;
a pooling function turns those T states into a single (H,) vector; the head maps it to a scalar. The
three poolings below are the three choices the lessons discuss: the last real token (decoders such as
GPT), the first token (encoders such as BERT, whose first token is [CLS]) and the mean over tokens.
"""

import torch
from torch import nn
from tqdm.auto import tqdm
from transformers import GPT2Config, GPT2Model, PreTrainedTokenizerBase

from rlhf_lab.embedded import HOW_TEMPLATES, TOPICS, WHAT_TEMPLATES
from rlhf_lab.losses import bradley_terry_loss
from rlhf_lab.pairs import extract_conversation, is_single_turn


def last_token_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Hidden state of each row's last non-padding token: (B, T, H), (B, T) -> (B, H).

    Works for right padding (real tokens first) and left padding (real tokens last): the position
    index times the mask is largest exactly at the last position whose mask is 1.
    """
    positions = torch.arange(attention_mask.shape[1], device=attention_mask.device)
    last = (positions * attention_mask).argmax(dim=1)
    return hidden[torch.arange(hidden.shape[0], device=hidden.device), last]


def cls_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Hidden state of each row's first non-padding token (BERT's [CLS]): (B, T, H), (B, T) -> (B, H).

    torch.argmax returns the first of several equal maxima, so mask.argmax is the first real token.
    Encoders pad on the right, where this is simply position 0.
    """
    first = attention_mask.argmax(dim=1)
    return hidden[torch.arange(hidden.shape[0], device=hidden.device), first]


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean of the hidden states over each row's non-padding tokens: (B, T, H), (B, T) -> (B, H).

    Padding positions are zeroed before the sum and left out of the count; the clamp keeps a row
    without any real token at 0 instead of 0 / 0 = NaN.
    """
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


POOLINGS = {"last": last_token_pool, "cls": cls_pool, "mean": mean_pool}


class RewardModel(nn.Module):
    """GPT-2 without its language-model head, plus a linear layer from a pooled state to a scalar.

    forward(input_ids (B, T), attention_mask (B, T)) -> rewards (B,).
    """

    def __init__(self, config: GPT2Config, pooling: str = "last", seed: int = 0):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r}: choose one of {', '.join(POOLINGS)}")
        torch.manual_seed(seed)
        self.backbone = GPT2Model(config)
        self.head = nn.Linear(config.n_embd, 1)
        self.pool = POOLINGS[pooling]

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.backbone(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(self.pool(hidden, attention_mask)).squeeze(-1)


# ---------------------------------------------------------------------------------------------
# Data: preference pairs (chosen = preferred, rejected = dispreferred) from the embedded dialogues.


def _question_topics() -> dict[str, int]:
    """Every training phrasing of every topic's question -> the topic's index in TOPICS."""
    templates = {"what": WHAT_TEMPLATES, "how": HOW_TEMPLATES}
    return {
        template.format(subject): index
        for index, (_, kind, subject, _) in enumerate(TOPICS)
        for template in templates[kind]
    }


def split_by_topic(rows: list[dict], heldout_every: int = 5) -> tuple[list[dict], list[dict]]:
    """Single-turn rows split into (train, heldout) by question topic, deterministically.

    Every `heldout_every`-th topic of the embedded table goes to the held-out side with all its
    phrasings, so the held-out questions ask about subjects (and chosen answers) never seen in training.
    Multi-turn rows are dropped to keep sequences short.
    """
    topics = _question_topics()
    train, heldout = [], []
    for row in rows:
        if not is_single_turn(row):
            continue
        question, _ = extract_conversation(row["chosen"])
        if question not in topics:
            raise ValueError(
                f"{question!r} is none of the embedded data's questions: split_by_topic "
                "knows only the topics of rlhf_lab.embedded"
            )
        (heldout if topics[question] % heldout_every == 0 else train).append(row)
    return train, heldout


def encode_reward_pairs(tokenizer: PreTrainedTokenizerBase, rows: list[dict], max_tokens: int = 96) -> dict:
    """Tokenize both sides of every row: input_ids and attention masks (N, max_tokens) for chosen and rejected.

    Both sides are right-padded to the same length, so a batch can stack chosen and rejected rows.
    """
    encoded = {}
    for side in ("chosen", "rejected"):
        batch = tokenizer(
            [row[side] for row in rows],
            padding="max_length",
            truncation=True,
            max_length=max_tokens,
            padding_side="right",
            return_tensors="pt",
        )
        encoded[f"{side}_ids"] = batch["input_ids"]
        encoded[f"{side}_mask"] = batch["attention_mask"]
    return encoded


def _chosen_rejected_rewards(model: RewardModel, pairs: dict, index: torch.Tensor) -> torch.Tensor:
    """(len(index), 2) rewards, chosen first: one forward pass on chosen and rejected stacked together."""
    ids = torch.cat([pairs["chosen_ids"][index], pairs["rejected_ids"][index]])
    mask = torch.cat([pairs["chosen_mask"][index], pairs["rejected_mask"][index]])
    # Right padding: columns after the batch's longest row are padding everywhere, so drop them (speed).
    length = int(mask.sum(dim=1).max())
    rewards = model(ids[:, :length], mask[:, :length])
    return torch.stack(rewards.chunk(2), dim=1)


def train_reward_model(
    model: RewardModel, pairs: dict, *, steps: int, batch_size: int, learning_rate: float, seed: int
) -> list[float]:
    """Minimise the Bradley-Terry loss (K = 2: chosen ranked above rejected) with AdamW; returns the losses.

    `pairs` comes from `encode_reward_pairs` (right-padded). Each step draws a random batch of pairs.
    No defaults: every caller (lesson 1, the tests) states its run, so none depends on a hidden value.
    With K = 2 the ranked rewards are simply [r(x, y_chosen), r(x, y_rejected)].
    """
    generator = torch.Generator().manual_seed(seed)
    # Only trainable parameters: a caller may freeze some (e.g. the token embedding) to train faster.
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=learning_rate)
    model.train()
    losses = []
    progress = tqdm(range(steps), desc="reward model", unit="step")
    for _ in progress:
        index = torch.randint(len(pairs["chosen_ids"]), (batch_size,), generator=generator)
        loss = bradley_terry_loss(_chosen_rejected_rewards(model, pairs, index))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        progress.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
    model.eval()
    return losses


@torch.no_grad()
def pairwise_accuracy(model: RewardModel, pairs: dict, batch_size: int = 128) -> float:
    """Share of pairs where the chosen answer gets the strictly higher reward (0.5 = chance)."""
    model.eval()
    wins = 0
    count = len(pairs["chosen_ids"])
    for start in range(0, count, batch_size):
        rewards = _chosen_rejected_rewards(model, pairs, torch.arange(start, min(start + batch_size, count)))
        wins += (rewards[:, 0] > rewards[:, 1]).sum().item()
    return wins / count
