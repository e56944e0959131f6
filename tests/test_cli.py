import json
import subprocess
import sys

import pytest

from rlhf_lab.data import write_jsonl

ROW = {
    "chosen": "\n\nHuman: What is tea?\n\nAssistant: A drink.",
    "rejected": "\n\nHuman: What is tea?\n\nAssistant: No.",
}


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "rlhf_lab", *args], capture_output=True, text=True, cwd=cwd)


def test_pairs_command_prints_stage_counts_and_writes_jsonl(tmp_path):
    write_jsonl([ROW, ROW], tmp_path / "in" / "rows.jsonl.gz")
    result = run_cli("pairs", str(tmp_path / "in"), "-o", str(tmp_path / "pairs.jsonl"))
    assert result.returncode == 0, result.stderr
    assert "single_turn: 2" in result.stdout and "within_length: 2" in result.stdout
    lines = (tmp_path / "pairs.jsonl").read_text().splitlines()
    assert [set(json.loads(line)) for line in lines] == [{"prompt", "chosen", "rejected"}] * 2


def test_bad_input_is_one_line_and_leaves_existing_output(tmp_path):
    output = tmp_path / "pairs.jsonl"
    output.write_text("earlier results\n")
    result = run_cli("pairs", str(tmp_path / "missing.jsonl"), "-o", str(output))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "does not exist" in result.stderr
    assert output.read_text() == "earlier results\n"


def test_missing_model_folder_is_reported(tmp_path):
    result = run_cli(
        "train-dpo",
        "--model",
        str(tmp_path / "no-model"),
        "--output",
        str(tmp_path / "run"),
        "--preset",
        "cpu",
        "--max-steps",
        "1",
    )
    assert result.returncode == 2 and "does not exist" in result.stderr and result.stderr.count("\n") == 1


def test_train_rlhf_rejects_an_unknown_preset(tmp_path):
    result = run_cli("train-rlhf", "--preset", "tpu", "--output", str(tmp_path))
    assert result.returncode == 2 and "invalid choice: 'tpu'" in result.stderr


HEAVY = ("torch", "trl", "transformers", "datasets", "matplotlib")
# Runs the command line in a fresh interpreter and prints which heavy libraries it imported.
IMPORTS_OF = """
import json, sys
from rlhf_lab.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(name for name in {heavy!r} if name in sys.modules)))
"""


def heavy_imports(*args) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS_OF.format(heavy=HEAVY), *args], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "args", [["--help"], ["train-dpo", "--help"], ["train-rlhf", "--help"], ["pairs", "--help"]], ids=" ".join
)
def test_help_imports_no_heavy_library(args):
    assert heavy_imports(*args) == []


def test_pairs_pays_only_for_the_tokenizer(tmp_path):
    write_jsonl([ROW], tmp_path / "rows.jsonl")
    assert heavy_imports("pairs", str(tmp_path / "rows.jsonl"), "-o", str(tmp_path / "pairs.jsonl")) == ["transformers"]
    assert (tmp_path / "pairs.jsonl").exists()
