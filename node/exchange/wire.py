"""``credit.v1.ProvenRecord`` to and from :class:`~node.exchange.transit.Proven`."""

from __future__ import annotations

from typing import Any

from node._proto.credit.v1 import common_pb2
from node.exchange.transit import AnchorRef, Proven
from node.grpc.convert import KIND_TO_PROTO, SEVERITY_TO_PROTO

_KIND_FROM_PROTO = {number: name for name, number in KIND_TO_PROTO.items()}
_SEVERITY_FROM_PROTO = {number: name for name, number in SEVERITY_TO_PROTO.items()}


def proven_from_proto(message: Any) -> Proven:
    """The plain form of a ``ProvenRecord``; ``raw`` is its deterministic encoding."""
    env, anchor = message.envelope, message.anchor
    return Proven(
        province=env.province, record_no=env.record_no,
        kind=_KIND_FROM_PROTO.get(env.kind, ""), local_category=env.local_category,
        shared_category=env.shared_category,
        severity=_SEVERITY_FROM_PROTO.get(env.severity, ""), rule_version=env.rule_version,
        publish_date=env.publish_date, payload=bytes(message.canonical_payload),
        salt=bytes(message.salt), leaf_index=message.leaf_index,
        inclusion_proof=tuple(bytes(h) for h in message.inclusion_proof),
        batch_header=bytes(message.batch_header),
        header_signature=bytes(message.header_signature),
        anchor=AnchorRef(chain_id=anchor.chain_id, contract=bytes(anchor.contract),
                         tx_hash=bytes(anchor.tx_hash), block_number=anchor.block_number,
                         seq=anchor.seq),
        objection_flagged=message.objection_flagged,
        raw=message.SerializeToString(deterministic=True),
    )


def proven_to_proto(item: Proven) -> Any:
    """The ``ProvenRecord`` message of ``item`` (``raw`` is not sent)."""
    return common_pb2.ProvenRecord(
        envelope=common_pb2.RecordEnvelope(
            kind=KIND_TO_PROTO.get(item.kind, common_pb2.RECORD_KIND_UNSPECIFIED),
            province=item.province, record_no=item.record_no,
            local_category=item.local_category, shared_category=item.shared_category,
            severity=SEVERITY_TO_PROTO.get(item.severity, common_pb2.SEVERITY_UNSPECIFIED),
            rule_version=item.rule_version, publish_date=item.publish_date),
        canonical_payload=item.payload, salt=item.salt, leaf_index=item.leaf_index,
        inclusion_proof=list(item.inclusion_proof), batch_header=item.batch_header,
        header_signature=item.header_signature,
        anchor=common_pb2.AnchorRef(
            chain_id=item.anchor.chain_id, contract=item.anchor.contract,
            tx_hash=item.anchor.tx_hash, block_number=item.anchor.block_number,
            seq=item.anchor.seq),
        objection_flagged=item.objection_flagged,
    )
