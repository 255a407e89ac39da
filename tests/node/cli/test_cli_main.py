"""`credit-node`'s entry point: every command has help, unknown ones are refused, and a
product command does not load the dev network."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from node.cli.main import COMMANDS, build_parser, main


def test_commands_are_sorted_and_each_module_registers_its_name() -> None:
    assert list(COMMANDS) == sorted(COMMANDS)
    for name, module in COMMANDS.items():
        parser = build_parser([module])
        [subcommands] = [a for a in parser._actions
                         if isinstance(a, argparse._SubParsersAction)]
        assert list(subcommands.choices) == [name], module


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: credit-node {name}")


def test_an_unknown_command_is_refused_with_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["no-such-command"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'no-such-command'" in err
    assert all(name in err for name in COMMANDS)


def test_no_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([])
    assert done.value.code == 2
    assert "required: COMMAND" in capsys.readouterr().err


PRODUCT_COMMANDS = ["grant", "init", "query", "serve", "submit", "validate", "verify-answer"]


def test_no_product_command_loads_the_dev_network() -> None:
    # One fresh interpreter builds every product command's parser (importing its module,
    # as running it does); the dev network must not be among what they loaded.
    probe = ("import sys\n"
             "from node.cli.main import COMMANDS, build_parser\n"
             f"for name in {PRODUCT_COMMANDS!r}:\n"
             "    build_parser([COMMANDS[name]])\n"
             "print(sorted(m for m in sys.modules if m.startswith('node.devnet')))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "[]"
