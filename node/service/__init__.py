"""The running node: handlers that know nothing of gRPC, the batcher, and the server wiring."""
