"""Pooling, the reward model, the topic split and one short training run (lesson 1's kit)."""

import pytest
import torch
from conftest import SAME_MODEL_TWO_WAYS_ATOL

from rlhf_lab.embedded import HOW_TEMPLATES, TOPICS, WHAT_TEMPLATES, training_dialogues
from rlhf_lab.losses import bradley_terry_loss
from rlhf_lab.models import tiny_gpt2_config
from rlhf_lab.pairs import extract_conversation
from rlhf_lab.reward_model import (
    RewardModel,
    _question_topics,
    cls_pool,
    encode_reward_pairs,
    last_token_pool,
    mean_pool,
    pairwise_accuracy,
    split_by_topic,
    train_reward_model,
)
from rlhf_lab.tokenizer import load_tokenizer

TEMPLATES = {"what": WHAT_TEMPLATES, "how": HOW_TEMPLATES}

# (B=4, T=4, H=2): the hidden state of row b, position t is (10 * b + t, -(10 * b + t)).
HIDDEN = torch.tensor([[[10.0 * b + t, -(10.0 * b + t)] for t in range(4)] for b in range(4)])
MASK = torch.tensor(
    [
        [1, 1, 1, 0],  # right padding: real tokens 0..2
        [0, 0, 1, 1],  # left padding: real tokens 2..3
        [1, 1, 1, 1],  # no padding
        [0, 1, 0, 0],  # a single real token at position 1 (length-1 answer, padding on both sides)
    ]
)


def test_last_token_pool_right_left_none_and_single():
    expected = torch.tensor([[2.0, -2.0], [13.0, -13.0], [23.0, -23.0], [31.0, -31.0]])
    torch.testing.assert_close(last_token_pool(HIDDEN, MASK), expected, atol=0, rtol=0)


def test_cls_pool_takes_the_first_real_token():
    expected = torch.tensor([[0.0, -0.0], [12.0, -12.0], [20.0, -20.0], [31.0, -31.0]])
    torch.testing.assert_close(cls_pool(HIDDEN, MASK), expected, atol=0, rtol=0)


def test_mean_pool_averages_real_tokens_only():
    expected = torch.tensor([[1.0, -1.0], [12.5, -12.5], [21.5, -21.5], [31.0, -31.0]])
    torch.testing.assert_close(mean_pool(HIDDEN, MASK), expected, atol=1e-6, rtol=0)
    # A row without any real token gives zeros, not NaN.
    empty = mean_pool(HIDDEN[:1], torch.zeros(1, 4, dtype=torch.long))
    torch.testing.assert_close(empty, torch.zeros(1, 2), atol=0, rtol=0)


def test_pooling_accepts_bool_and_float_masks():
    for mask in (MASK.bool(), MASK.float()):
        torch.testing.assert_close(last_token_pool(HIDDEN, mask), last_token_pool(HIDDEN, MASK))
        torch.testing.assert_close(mean_pool(HIDDEN, mask), mean_pool(HIDDEN, MASK))


@pytest.fixture(scope="module")
def small_config():
    config = tiny_gpt2_config()
    config.n_positions = 64
    return config


@pytest.mark.parametrize("pooling", ["last", "mean", "cls"])
def test_reward_ignores_right_padding(small_config, pooling):
    """Causal attention: pad tokens after the text change no real token's state, so not the reward."""
    model = RewardModel(small_config, pooling=pooling).eval()
    ids = torch.tensor([[464, 3797, 3332, 319, 262]])
    padded = torch.cat([ids, torch.full((1, 3), 50256)], dim=1)
    mask = torch.tensor([[1, 1, 1, 1, 1, 0, 0, 0]])
    with torch.no_grad():
        alone = model(ids, torch.ones_like(ids))
        with_padding = model(padded, mask)
    assert alone.shape == (1,)
    torch.testing.assert_close(with_padding, alone, atol=SAME_MODEL_TWO_WAYS_ATOL, rtol=SAME_MODEL_TWO_WAYS_ATOL)


def test_unknown_pooling_is_refused(small_config):
    with pytest.raises(ValueError, match="unknown pooling"):
        RewardModel(small_config, pooling="max")


def test_split_by_topic_is_deterministic_and_disjoint():
    rows = training_dialogues()
    train, heldout = split_by_topic(rows)
    single_turn = [row for row in rows if row["chosen"].count("Human: ") == 1]
    assert len(train) + len(heldout) == len(single_turn)
    assert 0.1 < len(heldout) / len(single_turn) < 0.3  # every fifth topic, all of its phrasings
    assert split_by_topic(rows) == (train, heldout)
    # Every phrasing of every topic is a distinct question, so each maps to exactly one topic.
    assert len(_question_topics()) == sum(len(TEMPLATES[kind]) for _, kind, _, _ in TOPICS)
    train_answers = {extract_conversation(row["chosen"])[1] for row in train}
    heldout_answers = {extract_conversation(row["chosen"])[1] for row in heldout}
    assert not train_answers & heldout_answers  # no chosen answer of a held-out topic was trained on
    assert all(row["chosen"].count("Human: ") == 1 for row in train + heldout)


def test_split_by_topic_refuses_unknown_questions():
    with pytest.raises(ValueError, match="embedded"):
        split_by_topic(
            [
                {
                    "chosen": "\n\nHuman: Who are you?\n\nAssistant: A model.",
                    "rejected": "\n\nHuman: Who are you?\n\nAssistant: No.",
                }
            ]
        )


def test_encode_reward_pairs_right_pads_both_sides_to_the_same_length():
    tokenizer = load_tokenizer()
    rows = [
        {"chosen": "\n\nHuman: Hi\n\nAssistant: Hello there, friend.", "rejected": "\n\nHuman: Hi\n\nAssistant: Go."}
    ]
    pairs = encode_reward_pairs(tokenizer, rows, max_tokens=16)
    assert pairs["chosen_ids"].shape == pairs["rejected_ids"].shape == (1, 16)
    assert pairs["rejected_mask"][0, 0] == 1 and pairs["rejected_mask"][0, -1] == 0
    assert pairs["chosen_mask"].sum() > pairs["rejected_mask"].sum()


@pytest.fixture
def one_thread():
    """Small matrices train as fast on one thread, and two OpenMP threads on a busy 2-core runner spin-wait
    (measured: 50 s instead of 4 s for this test while other jobs ran)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_training_lowers_the_bradley_terry_loss(small_config, one_thread):
    tokenizer = load_tokenizer()
    rows = training_dialogues()[:200]
    rows = [row for row in rows if row["chosen"].count("Human: ") == 1][:6]
    pairs = encode_reward_pairs(tokenizer, rows, max_tokens=32)
    model = RewardModel(small_config)
    with torch.no_grad():
        rewards = torch.stack(
            [model(pairs["chosen_ids"], pairs["chosen_mask"]), model(pairs["rejected_ids"], pairs["rejected_mask"])],
            dim=1,
        )
    before = bradley_terry_loss(rewards).item()
    losses = train_reward_model(model, pairs, steps=8, batch_size=6, learning_rate=1e-3, seed=0)
    assert len(losses) == 8
    with torch.no_grad():
        rewards = torch.stack(
            [model(pairs["chosen_ids"], pairs["chosen_mask"]), model(pairs["rejected_ids"], pairs["rejected_mask"])],
            dim=1,
        )
    after = bradley_terry_loss(rewards).item()
    assert after < 0.5 * before
    assert pairwise_accuracy(model, pairs) == 1.0


def test_split_holds_out_every_fifth_topic_by_default():
    """Lesson 1 holds out every fifth topic of the table (topics 0, 5, 10, ...) with all its phrasings."""
    topics = _question_topics()
    _, heldout = split_by_topic(training_dialogues())
    heldout_topics = {topics[extract_conversation(row["chosen"])[0]] for row in heldout}
    assert heldout_topics == set(range(0, len(TOPICS), 5))


def test_pairwise_accuracy_counts_a_tie_as_wrong(small_config):
    """A head of zeros gives every answer the same reward (its bias): no pair is won (0.5 would be chance)."""
    tokenizer = load_tokenizer()
    rows = [row for row in training_dialogues() if row["chosen"].count("Human: ") == 1][:3]
    model = RewardModel(small_config)
    with torch.no_grad():
        model.head.weight.zero_()
    assert pairwise_accuracy(model, encode_reward_pairs(tokenizer, rows, max_tokens=32)) == 0.0


def test_the_default_reward_model_is_seed_0s(small_config):
    """Built without a seed, the model starts from the same weights as lesson 1's RewardModel(..., seed=0)."""
    default, seeded = RewardModel(small_config), RewardModel(small_config, seed=0)
    for (name, a), (_, b) in zip(default.state_dict().items(), seeded.state_dict().items()):
        torch.testing.assert_close(a, b, atol=0, rtol=0, msg=name)


def test_pairs_are_encoded_to_96_tokens_by_default():
    """96 tokens hold every embedded single-turn dialogue whole (lesson 1 uses the same length)."""
    tokenizer = load_tokenizer()
    rows = [row for row in training_dialogues() if row["chosen"].count("Human: ") == 1]
    pairs = encode_reward_pairs(tokenizer, rows)
    assert pairs["chosen_ids"].shape[1] == 96
    longest = max(len(tokenizer(row[side])["input_ids"]) for row in rows for side in ("chosen", "rejected"))
    assert longest <= 96, longest
