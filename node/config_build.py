"""A new node directory: its keys, CA and certificates, and the checked node.toml naming them.

``credit-node init`` and the local dev network both create nodes this way, so a node the
dev network runs is laid out exactly like one an operator makes by hand. Nothing is
overwritten: a directory that already holds a node.toml or any key or certificate is
refused before anything is written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from node.config import ConfigError, NodeConfig, config_from_dict, write_config
from node.identity.provision import EXAMPLE_AGENCY_PURPOSES, Layout, provision_node

__all__ = ["CONFIG_NAME", "build_config", "init_node"]

CONFIG_NAME = "node.toml"


def _listen_host(listen: str) -> str:
    host = listen.rsplit(":", 1)[0]
    return host[1:-1] if host.startswith("[") else host


def build_config(
    directory: Path, province: str, listen: str, database_url: str, ledger_url: str,
    chain_id: int,
) -> NodeConfig:
    """The checked config of a new node in ``directory``, using the standard file layout.

    Raises ConfigError naming the option's key when a value is bad.
    """
    layout = Layout(Path("."))
    raw = {
        "node": {
            "province": province, "data_dir": ".", "listen": listen,
            "signing_key_file": str(layout.signing_key),
            "master_key_file": str(layout.master_key),
        },
        "database": {"url": database_url},
        "ledger": {
            "rpc_url": ledger_url, "chain_id": chain_id,
            "account_key_file": str(layout.ledger_account),
        },
        "tls": {"ca": str(layout.ca_cert), "cert": str(layout.node_cert),
                "key": str(layout.node_key)},
    }
    cfg = config_from_dict(raw, directory)
    missing = set(EXAMPLE_AGENCY_PURPOSES) - set(cfg.policy.purposes)
    if missing:  # the example agency's certificate must name purposes the policy knows
        raise ConfigError(f"policy.purposes: missing {', '.join(sorted(missing))}")
    return cfg


def init_node(
    directory: Path, province: str, *, listen: str = "127.0.0.1:0", database_url: str = "",
    ledger_url: str = "http://127.0.0.1:8545", chain_id: int = 31337, ca_dir: Path | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """Create a node directory; return the public facts to publish (no secrets). The CA
    key goes to ``ca_dir`` (default ``<directory>-ca-offline``), outside the node directory.

    Raises ConfigError for a bad option or an existing node.toml, IdentityError or
    KeyFileError when key or certificate files exist or cannot be written.
    """
    directory = Path(directory)
    cfg = build_config(directory, province, listen, database_url, ledger_url, chain_id)
    config_path = directory / CONFIG_NAME
    if config_path.exists():
        raise ConfigError(f"{config_path}: already exists; refusing to overwrite it")
    directory.mkdir(parents=True, exist_ok=True)
    made = provision_node(directory, province, hosts=(_listen_host(listen),), ca_dir=ca_dir,
                          now=now or datetime.now(UTC))
    write_config(cfg, config_path)
    return {
        "config": str(config_path),
        "province": province,
        "listen": listen,
        "ledger_account": made.ledger_address,
        "node_public_key": made.node_public_key.hex(),
        "oprf_key_commitment": made.oprf_key_commitment.hex(),
        "ca_fingerprint_sha256": made.ca_fingerprint,
        "ca_certificate": str(made.layout.ca_cert),
        "ca_key_offline": str(made.layout.ca_key),
        "node_certificate": str(made.layout.node_cert),
    }
