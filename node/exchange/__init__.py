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
``transit.py``     a record in transit as plain data; ``wire.py`` its protobuf form
``proven.py``      a local record with its proof, as handed to peers
``links.py``       mutual-TLS channels to peers
``runtime.py``     all of it wired for a running node
=================  ===========================================================

Usage::

    from node.exchange.runtime import open_exchange

    app.exchange = open_exchange(app, categories=catalog_check)
    app.exchange.start()
"""
