"""The 征信链 ledger client: contracts, dev chain, anchoring (web3.py)."""
