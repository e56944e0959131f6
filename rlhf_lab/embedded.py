"""The course's own data, in the format of Anthropic's hh-rlhf, and the reference model's SFT data.

Each preference row is {"chosen": str, "rejected": str}; each side is a dialogue of turns that start
with "\\n\\nHuman: " or "\\n\\nAssistant: ". The chosen side gives a short, correct answer; the rejected
side asks the same question(s) and gets a vague or off-topic reply.

The tiny reference model is instruction-tuned first, on the same questions with answers that open in
several natural ways (`sft_conversations()`): like the textbook's SFT model, it has a style of its own
before DPO changes it.

Everything is expanded with a fixed seed from the data files in rlhf_lab/embedded_data/
(topics.jsonl: one topic a line, with its answer and optional follow-up turn; phrasings.json: the
question templates and the rejected side's replies), so the data is the same on every machine and
every call, and needs no network. `heldout_questions()` asks about the same topics in
(topic, phrasing) combinations that training never uses, to test whether a model answers from the
topic rather than by rote.
"""

import json
import random
from importlib import resources

from rlhf_lab.pairs import EXPLAIN_PREFIX

SEED = 20240601

# Openers of the SFT answers, with sampling weights. "Let me explain. " is one of the rarer ones on
# purpose: DPO can only re-weight behaviour that the SFT model already shows now and then.
SFT_OPENERS = (
    ("", 0.45),
    ("Sure. ", 0.20),
    ("In short, ", 0.15),
    ("Good question. ", 0.10),
    (EXPLAIN_PREFIX, 0.10),
)
SFT_COPIES = 6  # SFT answers per training question, each behind an opener drawn afresh

ALREADY_EXPLAINING_SHARE = 0.05  # chosen answers that already open with EXPLAIN_PREFIX: the pair filter's work
MULTI_TURN_SHARE = 0.10  # extra multi-turn rows per single-turn row (hh-rlhf is mostly multi-turn)
THREE_TURN_SHARE = 1 / 3  # of the multi-turn rows
OFF_TOPIC_SHARE = 0.30  # of rejected answers; the rest are vague


def _data_file(name: str):
    return resources.files("rlhf_lab").joinpath("embedded_data", name)


TEXT_FIELDS = ("area", "kind", "subject", "answer")


def load_topics(lines: list[str]) -> tuple[tuple[tuple[str, str, str, str], ...], dict[str, tuple[str, str]]]:
    """Topic rows (JSON lines) -> TOPICS and FOLLOW_UPS, each row checked.

    A row is {"area", "kind", "subject", "answer", "follow_up"}: kind "what" is a concept asked as
    "What is {subject}?", kind "how" a task asked as "How do I {subject}?"; follow_up is null or
    {"question", "answer"}, the second turn of the topic's multi-turn rows. FOLLOW_UPS is keyed by
    subject, so subjects must be unique.
    """
    topics, follow_ups = [], {}
    for number, line in enumerate(lines, start=1):
        row, where = json.loads(line), f"topics.jsonl:{number}"
        if set(row) != {*TEXT_FIELDS, "follow_up"} or not all(isinstance(row[k], str) and row[k] for k in TEXT_FIELDS):
            raise ValueError(
                f"{where}: a topic has non-empty strings {', '.join(TEXT_FIELDS)} and a follow_up, got {row}"
            )
        if row["kind"] not in TEMPLATES:
            raise ValueError(f"{where}: kind {row['kind']!r} is none of {sorted(TEMPLATES)}")
        if any(row["subject"] == subject for _, _, subject, _ in topics):
            raise ValueError(f"{where}: subject {row['subject']!r} appears twice; subjects name their topic")
        follow_up = row["follow_up"]
        if follow_up is not None:
            if not (isinstance(follow_up, dict) and set(follow_up) == {"question", "answer"}):
                raise ValueError(f'{where}: follow_up is null or {{"question": ..., "answer": ...}}, got {follow_up}')
            follow_ups[row["subject"]] = (follow_up["question"], follow_up["answer"])
        topics.append(tuple(row[k] for k in TEXT_FIELDS))
    return tuple(topics), follow_ups


# The wording: ten question phrasings per kind, and the rejected side's dodges and curt replies.
# Every topic is trained in nine of the phrasings; the tenth, a different one for each topic, makes
# its held-out question: a familiar phrasing and a familiar topic that training never put together,
# so a model must answer from the topic, not from the wording it memorised.
_PHRASINGS = json.loads(_data_file("phrasings.json").read_text(encoding="utf-8"))
WHAT_TEMPLATES = tuple(_PHRASINGS["question_templates"]["what"])
HOW_TEMPLATES = tuple(_PHRASINGS["question_templates"]["how"])
TEMPLATES = {"what": WHAT_TEMPLATES, "how": HOW_TEMPLATES}
VAGUE_ANSWERS = tuple(_PHRASINGS["vague_answers"])  # rejected first answers that dodge the question
VAGUE_FOLLOW_UP_ANSWERS = tuple(_PHRASINGS["vague_follow_up_answers"])
# (human thanks, chosen reply, rejected reply) closing the three-turn rows.
THANKS_TURNS = tuple((turn["human"], turn["chosen"], turn["rejected"]) for turn in _PHRASINGS["thanks_turns"])

# (area, kind, subject, answer) per topic, in file order; subject -> (follow-up question, answer) for
# the topics that appear in multi-turn rows.
TOPICS, FOLLOW_UPS = load_topics(_data_file("topics.jsonl").read_text(encoding="utf-8").splitlines())


def _dialogue(turns: list[tuple[str, str]]) -> str:
    """hh-rlhf text for (human, assistant) turn pairs: each turn starts with a blank line and a role."""
    return "".join(f"\n\nHuman: {human}\n\nAssistant: {assistant}" for human, assistant in turns)


def _with_opener(opener: str, subject: str, answer: str) -> str:
    """The answer behind an opener; "In short, " continues the sentence, so it lowercases the first word.

    Names and acronyms keep their capital: a first word with an inner capital (JavaScript, Wi-Fi,
    RLHF) or one that is capitalized in the subject itself (Python, Latin, World War II).
    """
    if not opener.endswith(", "):
        return opener + answer
    first_word = answer.split()[0].strip(",.:;")
    is_name = any(c.isupper() for c in first_word[1:]) or first_word in subject.split()
    return opener + (answer if is_name else answer[0].lower() + answer[1:])


def _heldout_template(topic_index: int) -> int:
    """Which of a topic's ten phrasings is kept out of training: a different one for neighbours."""
    return topic_index % len(WHAT_TEMPLATES)


def _rejected_answer(rng: random.Random, topic_index: int) -> str:
    """A worse first answer: mostly vague, sometimes a correct answer about another area."""
    if rng.random() < OFF_TOPIC_SHARE:
        # Another area, so that "prevent overfitting" never stands in as a wrong answer to "overfitting".
        area = TOPICS[topic_index][0]
        return rng.choice([answer for other, _, _, answer in TOPICS if other != area])
    return rng.choice(VAGUE_ANSWERS)


def _make_row(rng: random.Random, topic_index: int, question: str, human_turns: int) -> dict:
    """One preference row with 1, 2 or 3 human turns."""
    _, _, subject, answer = TOPICS[topic_index]
    opener = EXPLAIN_PREFIX if rng.random() < ALREADY_EXPLAINING_SHARE else ""
    chosen = [(question, _with_opener(opener, subject, answer))]
    rejected = [(question, _rejected_answer(rng, topic_index))]
    if human_turns >= 2:
        follow_up, follow_answer = FOLLOW_UPS[subject]
        chosen.append((follow_up, follow_answer))
        rejected.append((follow_up, rng.choice(VAGUE_FOLLOW_UP_ANSWERS)))
    if human_turns >= 3:
        thanks, good_reply, bad_reply = rng.choice(THANKS_TURNS)
        chosen.append((thanks, good_reply))
        rejected.append((thanks, bad_reply))
    return {"chosen": _dialogue(chosen), "rejected": _dialogue(rejected)}


def _training_plan() -> list[tuple[int, str]]:
    """(topic index, question) for every topic in the nine phrasings that are not held out."""
    return [
        (index, template.format(subject))
        for index, (_, kind, subject, _) in enumerate(TOPICS)
        for number, template in enumerate(TEMPLATES[kind])
        if number != _heldout_template(index)
    ]


def training_dialogues() -> list[dict]:
    """Every topic in nine of its ten phrasings as single-turn rows, plus multi-turn rows, shuffled.

    The multi-turn rows repeat a sample of the questions about topics that have a follow-up, with a
    second human turn and, for a third of them, a closing "thank you" turn: the single-turn filter's work.
    """
    rng = random.Random(SEED)
    plan = _training_plan()
    eligible = [entry for entry in plan if TOPICS[entry[0]][2] in FOLLOW_UPS]
    multi = rng.sample(eligible, round(MULTI_TURN_SHARE * len(plan)))
    three = round(THREE_TURN_SHARE * len(multi))
    rows = [_make_row(rng, index, question, 1) for index, question in plan]
    rows += [_make_row(rng, index, question, 3 if k < three else 2) for k, (index, question) in enumerate(multi)]
    rng.shuffle(rows)
    return rows


def sft_conversations(copies: int = SFT_COPIES) -> list[tuple[str, str]]:
    """The reference model's SFT data: (question, answer) for every training question, `copies` times.

    Each copy draws its opener afresh, so the opener is a habit of style that does not depend on the
    question, and the model learns each topic's answer after every opener. Measured on the tiny model:
    with the earlier data (one opener per question, kept in the preference answers too) it learned
    question -> opener by heart, DPO's chosen side started 24 nats below the rejected one, and DPO
    wrecked the answers; with fresh openers and plain preference answers the gap is 1.3 nats and DPO
    only has to move the opener.
    """
    rng = random.Random(SEED + 1)
    texts, weights = zip(*SFT_OPENERS)
    conversations = []
    for index, question in _training_plan():
        _, _, subject, answer = TOPICS[index]
        for opener in rng.choices(texts, weights=weights, k=copies):
            conversations.append((question, _with_opener(opener, subject, answer)))
    rng.shuffle(conversations)
    return conversations


def heldout_questions() -> list[str]:
    """One question per topic, in table order, in the phrasing its training rows never use."""
    return [
        TEMPLATES[kind][_heldout_template(index)].format(subject) for index, (_, kind, subject, _) in enumerate(TOPICS)
    ]


def topic_answers() -> list[str]:
    """Each topic's correct answer, in table order (so heldout_questions()[i] is answered by [i])."""
    return [answer for _, _, _, answer in TOPICS]
