"""The README cannot fall behind the code: every content key, allowed value and command."""

from __future__ import annotations

import re

import pytest

from carta import model as m
from carta.cli import COMMANDS, make_parser
from carta.kinds import KINDS

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def nested_models(model: type) -> set[type]:
    found = {model}
    for info in model.model_fields.values():  # type: ignore[attr-defined]
        for candidate in re.findall(r"carta\.model\.(\w+)", repr(info.annotation)):
            sub = getattr(m, candidate, None)
            if isinstance(sub, type) and sub not in found:
                found |= nested_models(sub)
    return found


MODELS = [*(k.model for k in KINDS.values()), m.CartaConfig, m.Territorio, m.Voce]


@pytest.mark.parametrize("model", MODELS, ids=lambda c: c.__name__)
def test_every_content_key_is_documented(model: type) -> None:
    for sub in nested_models(model):
        for key in sub.model_fields:  # type: ignore[attr-defined]
            assert f"`{key}`" in README, f"{sub.__name__}.{key} is not in the README"


@pytest.mark.parametrize("values", m.VALUE_LABELS)
def test_every_allowed_value_is_documented(values: dict[str, str]) -> None:
    for value in values:
        assert f"`{value}`" in README, f"{value} is not in the README"


def test_every_section_heading_is_documented() -> None:
    for heading in m.SERVICE_SECTIONS:
        assert f"`## {heading}`" in README


def test_every_command_and_option_is_documented() -> None:
    parser = make_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subparsers.choices.items():  # type: ignore[union-attr]
        assert name in COMMANDS
        assert f"carta {name}" in README, f"command {name} is not in the README"
        for action in sub._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in README, f"{name} {option} is not in the README"


def test_quick_start_is_two_commands() -> None:
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if line.strip()]
    assert len(commands) == 2
    assert "build.py serve" in commands[0] and "pytest" in commands[1]
