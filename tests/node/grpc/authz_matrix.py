"""The one table of who may call what: ``service/method`` -> the roles allowed to call it.

It must equal what the servicers enforce (``node/grpc/*servicer*.py``, through
``node.grpc.audited``); ``test_authz_matrix.py`` derives every role x method case from it
and checks it covers exactly the methods of the credit.v1 service descriptors, so an RPC
added without a row here fails. ``unknown`` (a certificate mapping to no role) is never
allowed and so appears in no row.
"""

from __future__ import annotations

from typing import Final

PLATFORM: Final = "platform"
PEER: Final = "peer"
AGENCY: Final = "agency"
AUTHORITY: Final = "authority"
AUDITOR: Final = "auditor"
ADMIN: Final = "admin"
UNKNOWN: Final = "unknown"
ROLES: Final = (PLATFORM, PEER, AGENCY, AUTHORITY, AUDITOR, ADMIN, UNKNOWN)

MATRIX: Final[dict[str, frozenset[str]]] = {
    "credit.v1.IngestService/SubmitRecords": frozenset({PLATFORM}),
    "credit.v1.IngestService/SubmitStream": frozenset({PLATFORM}),
    "credit.v1.IngestService/GetBacklog": frozenset({PLATFORM, ADMIN, AUDITOR}),
    "credit.v1.QueryService/Query": frozenset({AGENCY, AUTHORITY}),
    "credit.v1.QueryService/GetConsentEvidence": frozenset({AUDITOR}),
    "credit.v1.QueryService/WithdrawGrant": frozenset({PLATFORM}),
    "credit.v1.NodeService/GetStatus": frozenset({ADMIN, AUDITOR}),
    "credit.v1.ExchangeService/PullRecords": frozenset({PEER}),
    "credit.v1.ExchangeService/PushRecords": frozenset({PEER}),
    "credit.v1.ExchangeService/FetchOnRequest": frozenset({PEER}),
    "credit.v1.ExchangeService/Nudge": frozenset({PEER}),
    "credit.v1.AuditService/GetLatestHead": frozenset({AUDITOR, PEER}),
    "credit.v1.AuditService/GetHeadAtSize": frozenset({AUDITOR, PEER}),
    "credit.v1.AuditService/GetInclusionProof": frozenset({AUDITOR}),
    "credit.v1.AuditService/GetConsistencyProof": frozenset({AUDITOR, PEER}),
    "credit.v1.AuditService/ListEntries": frozenset({AUDITOR}),
    "credit.v1.LifecycleService/FileRepair": frozenset({PLATFORM}),
    "credit.v1.LifecycleService/RecordStatus": frozenset({PLATFORM}),
    "credit.v1.LifecycleService/FileObjection": frozenset({PLATFORM}),
    "credit.v1.LifecycleService/ResolveObjection": frozenset({PLATFORM}),
    "credit.v1.LifecycleService/PullRevocations": frozenset({PEER}),
    "credit.v1.MatchingService/Evaluate": frozenset({PEER, AGENCY}),
    "credit.v1.MatchingService/GetTokenSet": frozenset({PEER, AGENCY}),
}
