"""Node-to-node exchange of proof-carrying records, and federated agency answers.

A node never accepts a record it cannot prove came from its origin under a standard all
members adopted: every record travels with its canonical payload, salt, inclusion proof,
signed batch header and anchor reference (``transit.Proven``), and the receiver checks it
against the ledger step by step (``verify.py``) before storing it; a record failing any
step is quarantined with the step and the reason (``receive.py``), never dropped.

Modules, one job each:

=================  ===========================================================
``verify.py``      the receiver's numbered verification steps (pure), also for answers
``receive.py``     verify a page, quarantine the refused, store the rest
``serve.py``       PullRecords, callee side: anchored, replicated records in leaf order
``fetch.py``       FetchOnRequest, origin side: one subject, the forwarded grant rechecked
``federate.py``    an agency query answered with peer provinces' records too
``puller.py``      one thread per peer, resumable cursor, backoff, backpressure
``chain_facts.py`` cached ledger reads (node keys, anchors, catalog and mapping hashes)
``categories.py``  what the exchange asks of the shared catalog (``node.domain.catalog``)
``transit.py``     a record in transit as plain data (``node.grpc.convert``: its protobuf form)
``proven.py``      a local record with its proof, as handed to peers
``ports.py``       what the exchange asks of a peer node (``node.grpc.peer`` implements it)
``parts.py``       the parts of a running node's exchange, started and stopped together
=================  ===========================================================

Usage (the composition root, ``node.runtime``, wires it)::

    from node.runtime.exchange import open_exchange

    exchange = open_exchange(app, peers, categories=catalog_check)
    exchange.start()
"""
