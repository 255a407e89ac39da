"""The running node: gRPC-free handlers, batch sealing and anchoring, the server wiring."""
