"""Synthetic, valid public-credit records for tests, demos and benchmarks.

Records of every kind (penalties, serious-dishonesty entries, credit commitments) for
one province, deterministic for a seed: realistic subjects (companies, sole traders,
people with valid identifiers under the province's division codes), deciding bodies,
violations with their legal basis, publicity dates from the rule table and the holiday
calendar. Names are assembled from common parts and denote no real person or firm.

Usage::

    from node.devnet.synth import generate_records
    for record in generate_records("JS", 1000, seed=7):
        ...
"""

from node.devnet.synth.generator import generate, generate_records

__all__ = ["generate", "generate_records"]
