"""``--consortium DIR``: a client command's endpoint, identity and ledger, read from a local
consortium's ``consortium.json`` instead of spelled out flag by flag.

    credit-node submit --consortium var/consortium --province JS records.jsonl
    credit-node query --consortium var/consortium --node ZJ --purpose credit_report --subject ID
    credit-node grant --consortium var/consortium --node ZJ --subject ID --purpose P ...
    credit-node verify-answer answer.json --consortium var/consortium

``--province``/``--node`` names the province whose node is called (and whose identity is
used: ``platform.<P>`` to submit, ``agency.<P>`` to query or sign grants). An explicit
flag (``--endpoint``, ``--cert``, ``--key``, ``--ca``, ``--rpc-url``, ``--deployment``,
``--contracts``, ``--agency``) wins over the consortium's value; without ``--consortium``
the explicit flags are needed, and a missing one is named in a :class:`FlagError`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from node.devnet.layout import ConsortiumDoc, IdentityEntry
    from node.grpc.calls import TlsTarget

__all__ = ["TLS_FLAGS", "FlagError", "add_consortium_arguments",
           "consortium_identity", "load_consortium", "resolve_tls"]

TLS_FLAGS: Final = ("endpoint", "cert", "key", "ca")


class FlagError(ValueError):
    """The command line lacks a flag or names something the consortium does not have; the
    message names the flag."""


def add_consortium_arguments(parser: argparse.ArgumentParser, *, who: str | None,
                             what: str) -> None:
    """Add ``--consortium DIR`` and, when ``who`` is given, ``--<who> P``; ``what`` says
    what the consortium supplies (for ``--help``)."""
    parser.add_argument("--consortium", type=Path, metavar="DIR",
                        help=f"a local consortium's directory (consortium.json): {what}")
    if who is not None:
        parser.add_argument(f"--{who}", metavar="P", type=str.upper,
                            help="with --consortium: the province whose node is called "
                                 "(SH, JS, ZJ, AH)")


def load_consortium(directory: Path) -> ConsortiumDoc:
    """``DIR/consortium.json``; FlagError naming ``--consortium`` when absent or malformed."""
    from node.devnet.layout import ConsortiumDoc  # loads web3: only when asked for

    path = Path(directory) / "consortium.json"
    try:
        return ConsortiumDoc.load(path)
    except FileNotFoundError as exc:
        raise FlagError(f"--consortium {directory}: no consortium.json there (run `credit-node "
                        f"consortium up --dir {directory}` first)") from exc
    except (OSError, ValueError) as exc:
        raise FlagError(f"--consortium {directory}: {exc}") from exc


def consortium_identity(args: argparse.Namespace, who: str,
                        label: Callable[[str], str]) -> tuple[ConsortiumDoc, str, IdentityEntry]:
    """The consortium, the province named by ``--<who>`` and its identity ``label(P)``.

    Precondition: ``args.consortium`` is set. FlagError when ``--<who>`` is missing or
    names no province of the consortium, or the consortium lacks the identity.
    """
    directory = args.consortium
    doc = load_consortium(directory)
    province = getattr(args, who, None)
    provinces = ", ".join(doc.provinces)
    if not province:
        raise FlagError(f"--{who} is required with --consortium (one of {provinces})")
    if province not in doc.provinces:
        raise FlagError(f"--{who} {province}: the consortium in {directory} has {provinces}")
    name = label(province)
    if name not in doc.identities:
        raise FlagError(f"--consortium {directory} has no identity {name!r}; run `credit-node "
                        f"consortium up --dir {directory}` to issue it")
    return doc, province, doc.identities[name]


def resolve_tls(args: argparse.Namespace, *, who: str, label: Callable[[str], str]
                ) -> TlsTarget:
    """The endpoint and identity of a call: explicit ``--endpoint --cert --key --ca``,
    each defaulting (with ``--consortium``) to province ``--<who>``'s node and identity
    ``label(P)``. FlagError names the first missing flag."""
    from node.grpc.calls import TlsTarget  # loads grpc: only for the commands that call

    found: dict[str, str] = {}
    if args.consortium is not None:
        doc, province, identity = consortium_identity(args, who, label)
        found = {"endpoint": doc.provinces[province].grpc, "cert": identity.cert,
                 "key": identity.key, "ca": identity.ca}
    elif getattr(args, who, None):
        raise FlagError(f"--{who} applies only with --consortium DIR")
    values: dict[str, str] = {}
    for flag in TLS_FLAGS:
        given = getattr(args, flag, None)
        value = str(given) if given is not None else found.get(flag)
        if not value:
            raise FlagError(f"--{flag} is required (or give --consortium DIR --{who} P)")
        values[flag] = value
    return TlsTarget(values["endpoint"], Path(values["cert"]), Path(values["key"]),
                     Path(values["ca"]))
