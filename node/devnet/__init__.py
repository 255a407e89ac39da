"""The dev network: tooling around the product, never part of it.

A local consortium (the four provinces' nodes and one ledger on one machine), synthetic
records (:mod:`node.devnet.synth`), the demos (``credit-node demo`` and its ``--local``
single-province pipeline) and the generator of ``docs/record-format.md``. It uses the
product only through its public modules, and only the CLI commands that run it import it.

Usage::

    from node.devnet.lifecycle import consortium_up, consortium_down, load_doc

    result = consortium_up(Path("var/consortium"))     # create on first use, start
    doc = result.doc                                   # what runs where (consortium.json)
    consortium_down(Path("var/consortium"))            # stop; `up` brings it back

``credit-node consortium up|status|down`` and ``credit-node demo`` are built on it.
"""
