"""The pins and the TRL API the course relies on."""

import dataclasses
import re
import tomllib
from pathlib import Path

import yaml
from trl import DPOConfig

from rlhf_lab.presets import PRESETS, RUN_SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_pins_match_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    pip_section = next(item["pip"] for item in conda if isinstance(item, dict))
    assert sorted(p for p in pip_section if not p.startswith("-e")) == sorted(project)
    assert all(re.fullmatch(r"[\w.-]+==[\w.+]+", p) for p in project), "every dependency is pinned"


def test_every_dpo_setting_the_course_uses_exists_in_trl():
    fields = {f.name for f in dataclasses.fields(DPOConfig)}
    used = {key for preset in PRESETS.values() for key in preset} | {"bf16", "seed", *RUN_SETTINGS}
    assert used <= fields, f"DPOConfig lacks {sorted(used - fields)}: TRL's API moved"
