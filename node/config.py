"""Load, check and write ``node.toml``. The schema, with a docstring per key, is in
:mod:`node.config_schema`.

Usage::

    from node.config import load_config, write_config

    cfg = load_config(Path("var/js/node.toml"))
    cfg.node.province, cfg.database.url, cfg.tls.cert   # paths are absolute

Loading refuses an unknown key, a value of the wrong type and a bad value with a
:class:`ConfigError` naming the file and the key (``peers[0].address: ...``). Relative
paths are relative to the directory holding the file; ``[database] url`` left empty
becomes ``sqlite:///<data_dir>/node.db``. Writing turns paths under that directory back
into relative ones, so a node directory can be moved as a whole.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from node.config_schema import NodeConfig, PeerConfig

__all__ = [
    "ConfigError",
    "NodeConfig",
    "ca_files",
    "config_from_dict",
    "config_to_dict",
    "default_database_url",
    "default_keystore_url",
    "load_config",
    "write_config",
]


class ConfigError(ValueError):
    """``node.toml`` is missing, not TOML, or has an unknown key or a bad value."""


def default_database_url(data_dir: Path) -> str:
    """The SQLite database used when ``[database] url`` is empty."""
    return f"sqlite:///{data_dir / 'node.db'}"


def default_keystore_url(data_dir: Path) -> str:
    """The SQLite key store used when ``[keystore] url`` is empty (whatever the database)."""
    return f"sqlite:///{data_dir / 'keys.db'}"


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", str(tp))


def _parse(tp: Any, raw: Any, where: str, base: Path) -> Any:
    """Convert ``raw`` (from TOML) to type ``tp``; ``where`` names the key in errors."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _parse_dataclass(tp, raw, where, base)
    if origin is types.UnionType:  # only ``X | None`` is used
        return _parse(args[0], raw, where, base)
    if origin is tuple:
        if not isinstance(raw, list):
            raise ConfigError(f"{where}: got {type(raw).__name__}, expected an array")
        return tuple(_parse(args[0], v, f"{where}[{i}]", base) for i, v in enumerate(raw))
    if origin is Mapping:
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: got {type(raw).__name__}, expected a table")
        return {k: _parse(args[1], v, f"{where}.{k}", base) for k, v in raw.items()}
    if tp is Path:
        if not isinstance(raw, str) or not raw:
            raise ConfigError(f"{where}: got {raw!r}, expected a non-empty path string")
        return Path(os.path.normpath(base / raw))
    if tp is float and isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if tp in (str, int, bool) and type(raw) is tp:
        return raw
    raise ConfigError(f"{where}: got {type(raw).__name__} {raw!r}, expected {_type_name(tp)}")


def _parse_dataclass(cls: type[Any], raw: Any, where: str, base: Path) -> Any:
    prefix = f"{where}." if where else ""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where or 'file'}: got {type(raw).__name__}, expected a table")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in raw:
        if key not in names:
            raise ConfigError(
                f"unknown key {prefix + key!r}; expected one of {', '.join(names)}"
            )
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        if f.name in raw:
            value = _parse(hints[f.name], raw[f.name], key, base)
        elif dataclasses.is_dataclass(hints[f.name]):
            value = _parse(hints[f.name], {}, key, base)
        elif f.default is not dataclasses.MISSING:
            value = _parse(Path, str(f.default), key, base) if isinstance(
                f.default, Path) else f.default
        elif f.default_factory is not dataclasses.MISSING:
            value = f.default_factory()
        else:
            raise ConfigError(f"missing required key {key!r}")
        check = f.metadata.get("check")
        if check is not None:
            try:
                check(value)
            except ValueError as exc:
                got = f"got {value!r}, " if isinstance(value, str | int | float) else ""
                raise ConfigError(f"{key}: {got}{exc}") from exc
        values[f.name] = value
    return cls(**values)


def _check_whole(cfg: NodeConfig) -> NodeConfig:
    """Cross-key rules; fills in the database URL and each peer's CA file."""
    own = cfg.node.province
    if own in cfg.tls.trusted_cas:
        raise ConfigError(f"tls.trusted_cas.{own}: the own province's CA is tls.ca")
    peers: list[PeerConfig] = []
    for i, peer in enumerate(cfg.peers):
        where = f"peers[{i}]"
        if peer.province == own:
            raise ConfigError(f"{where}.province: got {own!r}, a peer must be another province")
        if peer.province in (p.province for p in peers):
            raise ConfigError(f"{where}.province: {peer.province!r} is listed twice")
        trusted = cfg.tls.trusted_cas.get(peer.province)
        if peer.ca is None and trusted is None:
            raise ConfigError(
                f"{where}.ca: missing, and tls.trusted_cas has no CA for {peer.province}"
            )
        if peer.ca is not None and trusted is not None and peer.ca != trusted:
            raise ConfigError(
                f"{where}.ca: {peer.ca} differs from tls.trusted_cas.{peer.province} ({trusted})"
            )
        peers.append(dataclasses.replace(peer, ca=peer.ca or trusted))
    url = cfg.database.url or default_database_url(cfg.node.data_dir)
    keys_url = cfg.keystore.url or default_keystore_url(cfg.node.data_dir)
    if keys_url == url:
        raise ConfigError("keystore.url: must name a database apart from database.url "
                          "(data keys live apart from the ciphertext they open)")
    return dataclasses.replace(
        cfg, peers=tuple(peers), database=dataclasses.replace(cfg.database, url=url),
        keystore=dataclasses.replace(cfg.keystore, url=keys_url),
    )


def config_from_dict(raw: Mapping[str, Any], base: Path) -> NodeConfig:
    """A checked NodeConfig from parsed TOML; relative paths are taken from ``base``."""
    cfg: NodeConfig = _parse_dataclass(NodeConfig, dict(raw), "", Path(base).resolve())
    return _check_whole(cfg)


def load_config(path: Path) -> NodeConfig:
    """Read and check the ``node.toml`` at ``path`` (see the module docstring)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such config file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        return config_from_dict(raw, path.parent)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _dump(value: Any, base: Path) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _dump(getattr(value, f.name), base)
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, Path):
        return value.relative_to(base).as_posix() if value.is_relative_to(base) else str(value)
    if isinstance(value, tuple):
        return [_dump(v, base) for v in value]
    if isinstance(value, Mapping):
        return {k: _dump(v, base) for k, v in value.items()}
    return value


def config_to_dict(cfg: NodeConfig, base: Path) -> dict[str, Any]:
    """The TOML document for ``cfg``, with paths under ``base`` made relative."""
    base = Path(base).resolve()
    doc: dict[str, Any] = _dump(cfg, base)
    if cfg.database.url == default_database_url(cfg.node.data_dir):
        doc["database"].pop("url")
    if cfg.keystore.url == default_keystore_url(cfg.node.data_dir):
        doc["keystore"].pop("url")
    return doc


_HEADER = (
    "# Credit-sharing node configuration. Every key is documented in node/config_schema.py.\n"
    "# Relative paths are relative to this file's directory.\n\n"
)


def write_config(cfg: NodeConfig, path: Path, *, overwrite: bool = False) -> None:
    """Write ``cfg`` to ``path`` (mode 0644); refuse to replace a file unless ``overwrite``."""
    path = Path(path)
    text = _HEADER + tomli_w.dumps(config_to_dict(cfg, path.parent))
    try:
        with path.open("w" if overwrite else "x", encoding="utf-8") as fh:
            fh.write(text)
        path.chmod(0o644)
    except FileExistsError as exc:
        raise ConfigError(f"{path}: already exists; refusing to overwrite it") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror}") from exc


def ca_files(cfg: NodeConfig) -> dict[str, Path]:
    """Province → CA certificate file: the own CA, every trusted CA and every peer's CA."""
    files: dict[str, Path] = {cfg.node.province: cfg.tls.ca, **cfg.tls.trusted_cas}
    for peer in cfg.peers:
        if peer.ca is not None:
            files.setdefault(peer.province, peer.ca)
    return files

