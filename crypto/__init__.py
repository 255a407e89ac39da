"""Pure cryptographic functions: canonical encoding, commitments, Merkle log, signatures.

No I/O except key files (``crypto.keys``). Imports nothing else of this project.
"""
