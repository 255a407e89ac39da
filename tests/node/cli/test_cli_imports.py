"""Client commands start quickly: what `credit-node query`/`submit`/`grant`/`validate`
import leaves web3 and eth_account out, and `credit-node --help` imports no command.

Why a property and not a timing: web3 and eth_account take about a second to import, the
bulk of a client command's start; whether they are loaded does not depend on how fast
the machine is (bench figures: issue 15's `cli` key).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from node.cli.main import COMMANDS, SUMMARIES, build_parser

CLIENT_COMMANDS = ["grant", "query", "submit", "validate"]
HEAVY = ["web3", "eth_account", "sqlalchemy", "alembic"]
# What running a client command with --consortium imports beyond its own module.
RUN_PATH = ["node.cli.consortium_flags", "node.devnet.layout", "node.grpc.calls"]


def _loaded_after(statements: str) -> list[str]:
    probe = (f"import sys\n{statements}\n"
             f"print(__import__('json').dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120, check=True)
    loaded: list[str] = json.loads(result.stdout)
    return loaded


def test_client_commands_load_neither_web3_nor_eth_account() -> None:
    # One fresh interpreter per command: its parser (importing its module, as running it
    # does) and the modules its run imports (consortium.json, the gRPC calls).
    for name in CLIENT_COMMANDS:
        statements = (f"from node.cli.main import COMMANDS, build_parser\n"
                      f"build_parser([COMMANDS[{name!r}]])\n"
                      + "".join(f"import {module}\n" for module in RUN_PATH))
        assert _loaded_after(statements) == [], name


def test_the_ledger_package_loads_web3_only_when_a_client_is_asked_for() -> None:
    assert _loaded_after("import ledger\nfrom ledger import LedgerError, MemberSpec") == []
    assert "web3" in _loaded_after("from ledger import LedgerClient")


def test_help_lists_every_command_without_importing_one() -> None:
    probe = ("import sys\nfrom node.cli.main import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith('node.cli.')))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.splitlines()[-1] == "['node.cli.main']"
    assert all(name in result.stdout for name in COMMANDS)


def test_the_summaries_are_each_module_s_own_help() -> None:
    assert list(SUMMARIES) == list(COMMANDS)
    for name, module in COMMANDS.items():
        [subcommands] = [a for a in build_parser([module])._actions
                         if isinstance(a, argparse._SubParsersAction)]
        [action] = subcommands._choices_actions
        assert action.help == SUMMARIES[name], name
