"""gRPC adapters: servicers that unpack requests, call plain handlers and map errors."""
