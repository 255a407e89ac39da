"""Requests whose bytes are not the method's protobuf message: refused INVALID_ARGUMENT
after the role check, and audited, instead of grpcio's own ``INTERNAL``.

grpcio ends a call whose request fails to deserialize with ``INTERNAL`` ("Exception
deserializing request!") before any servicer runs, so the caller learns nothing useful,
the access log never sees the attempt, and an operator cannot tell a hostile client from
a defect. :class:`MalformedRequests` (a server interceptor over the credit.v1 services)
swaps in a deserializer that never fails: bad bytes become an empty message of the
method's request type and the call's context is marked with what was wrong. The servicer
then runs as usual through ``node.grpc.audited``, which checks the caller's role first and
then refuses a marked call as a ``BadRequest`` (logged as a ``BAD_REQUEST`` refusal).
In a stream the mark follows each message: it is set while a malformed one is handled.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

import grpc

__all__ = ["MalformedRequests", "malformed_reason"]


@dataclass(frozen=True)
class _Malformed:
    """What the tolerant deserializer returns for bytes that are no valid message."""

    reason: str


class _MarkedContext:
    """The call's context, forwarding everything, plus the current message's defect."""

    def __init__(self, context: grpc.ServicerContext) -> None:
        self._context = context
        self.malformed = ""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def malformed_reason(context: Any) -> str:
    """Why the message being handled is malformed, or "" when it is a valid message."""
    return context.malformed if isinstance(context, _MarkedContext) else ""


def _tolerant(parse: Callable[[bytes], Any], type_name: str) -> Callable[[bytes], Any]:
    def deserialize(data: bytes) -> Any:
        try:
            return parse(data)
        except Exception as exc:  # DecodeError, or anything a parser of hostile bytes raises
            return _Malformed(f"request: the bytes are not a valid {type_name} message "
                              f"({type(exc).__name__})")
    return deserialize


def _unmark(request: Any, marked: _MarkedContext, empty: Callable[[], Any]) -> Any:
    if isinstance(request, _Malformed):
        marked.malformed = request.reason
        return empty()
    marked.malformed = ""
    return request


def _wrap(handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
    parse = handler.request_deserializer
    if parse is None:
        return handler
    type_name = type(parse(b"")).DESCRIPTOR.full_name
    tolerant = _tolerant(parse, type_name)

    def empty() -> Any:
        return parse(b"")

    if handler.request_streaming:
        inner = handler.stream_stream or handler.stream_unary

        def behavior(requests: Iterator[Any], context: grpc.ServicerContext) -> Any:
            marked = _MarkedContext(context)
            messages = (_unmark(r, marked, empty) for r in requests)
            return inner(messages, marked)
    else:
        inner = handler.unary_unary or handler.unary_stream

        def behavior(request: Any, context: grpc.ServicerContext) -> Any:  # type: ignore[misc]
            marked = _MarkedContext(context)
            return inner(_unmark(request, marked, empty), marked)

    make = {
        (False, False): grpc.unary_unary_rpc_method_handler,
        (False, True): grpc.unary_stream_rpc_method_handler,
        (True, False): grpc.stream_unary_rpc_method_handler,
        (True, True): grpc.stream_stream_rpc_method_handler,
    }[(handler.request_streaming, handler.response_streaming)]
    return make(behavior, request_deserializer=tolerant,
                response_serializer=handler.response_serializer)


class MalformedRequests(grpc.ServerInterceptor):  # type: ignore[misc]
    """Tolerant deserializers for the methods of ``services`` (full names); others as is."""

    def __init__(self, services: Collection[str]) -> None:
        self._services = frozenset(services)
        self._cache: dict[str, grpc.RpcMethodHandler] = {}

    def intercept_service(self, continuation: Callable[[Any], Any],
                          handler_call_details: Any) -> Any:
        method: str = handler_call_details.method
        handler = continuation(handler_call_details)
        if handler is None or method.lstrip("/").rsplit("/", 1)[0] not in self._services:
            return handler
        wrapped = self._cache.get(method)
        if wrapped is None:
            wrapped = self._cache.setdefault(method, _wrap(handler, method))
        return wrapped
