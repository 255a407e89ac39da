"""Write the OPRF (edwards25519-SHA512-YRDv1, VOPRF mode) test vectors; the JSON is committed.

    .venv/bin/python tests/vectors/oprf/make_vectors.py

Randomness comes from a fixed stream (SHA-512 of a label and a counter) so every blind
and proof nonce is reproducible. Before writing, the run checks what can be checked
independently of the recorded bytes: the proof verifies, each finalized output equals the
responder's direct evaluation, and each output is SHA-512 of the documented transcript
recomputed here with ``hashlib``. A vector that disagrees aborts the run.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from crypto import oprf  # noqa: E402
from crypto.oprf_group import mult, scalar_invert  # noqa: E402


def fixed_rng(label: bytes):  # type: ignore[no-untyped-def]
    counter = 0

    def rng(size: int) -> bytes:
        nonlocal counter
        counter += 1
        out = hashlib.sha512(label + counter.to_bytes(4, "big")).digest()
        while len(out) < size:
            counter += 1
            out += hashlib.sha512(label + counter.to_bytes(4, "big")).digest()
        return out[:size]

    return rng


def vector(name: str, seed: bytes, inputs: list[bytes]) -> dict[str, object]:
    key = oprf.derive_key_pair(seed)
    blinds, blinded = oprf.blind_batch(inputs, fixed_rng(b"blind-" + name.encode()))
    reply = oprf.blind_evaluate_batch(key, blinded, fixed_rng(b"proof-" + name.encode()))
    outputs = oprf.finalize_batch(inputs, blinds, blinded, reply, key.public_key)
    for value, r, d, out in zip(inputs, blinds, reply.evaluated, outputs, strict=True):
        element = mult(scalar_invert(r), d)
        transcript = (len(value).to_bytes(2, "big") + value + (32).to_bytes(2, "big")
                      + element + b"Finalize")
        assert out == hashlib.sha512(transcript).digest() == oprf.evaluate(key, value)
    return {
        "name": name,
        "suite": oprf.SUITE_ID.decode(),
        "context": oprf.CONTEXT.hex(),
        "seed": seed.hex(),
        "key_info": oprf.KEY_INFO.decode(),
        "private_key": key.private_key.hex(),
        "public_key": key.public_key.hex(),
        "inputs": [i.hex() for i in inputs],
        "blinds": [b.hex() for b in blinds],
        "blinded": [b.hex() for b in blinded],
        "evaluated": [e.hex() for e in reply.evaluated],
        "proof": reply.proof.hex(),
        "outputs": [o.hex() for o in outputs],
    }


def main() -> None:
    vectors = [
        vector("single_uscc", bytes(range(32)), [b"91350100M000100Y43"]),
        vector("batch_of_three", bytes([0xA5]) * 32,
               [b"11010519491231002X", b"91350100M000100Y43", b""]),
    ]
    for item in vectors:
        path = HERE / f"{item['name']}.json"
        path.write_text(json.dumps(item, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
