"""The composition root: a running node built from its config.

The only place that wires the layers together — ``NodeApp`` (``node.service.app``), the
peer clients (``node.grpc.peer``), the exchange (``node.exchange``), the anchor and audit
loops, the servicers and the gRPC server (``node.grpc.server``). Nothing below imports it.

=================  ===========================================================
``node.py``        ``start_node`` / ``RunningNode``: build, serve, stop
``exchange.py``    ``open_exchange``: the exchange's parts and puller threads
``audit_loops.py`` the audit checkpoint and witness threads
``deps.py``        what handlers need, built once (``QueryDeps``, peer clients)
``serve_file.py``  ``serve.json``: the bound ports, for tools
=================  ===========================================================
"""
