"""A local consortium: the four provinces' nodes and one ledger on one machine.

Usage::

    from node.consortium.lifecycle import consortium_up, consortium_down, load_doc

    result = consortium_up(Path("var/consortium"))     # create on first use, start
    doc = result.doc                                   # what runs where (consortium.json)
    consortium_down(Path("var/consortium"))            # stop; `up` brings it back

``credit-node consortium up|status|down`` and ``credit-node demo`` are built on it.
"""
