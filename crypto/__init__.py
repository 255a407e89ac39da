"""Pure cryptographic functions: canonical encoding, commitments, Merkle log, signatures.

No I/O except private-key files (``crypto.key_files``). Imports nothing else of this project.
"""
