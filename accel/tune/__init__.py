"""``accel tune``: the cheapest per-layer widths that keep a network's accuracy.

=============  ================================================================
``target``     the accuracy to keep (``agreement>=99.5``) and the cost to lower
``point``      ``TunePoint``: one width per layer, integer bits from the ranges
``search``     greedy bit removal, then a local refinement (the algorithm)
``evaluate``   a point's accuracy (the bit-exact simulator, in parallel, resumable)
               and its cost (the estimator)
``output``     the chosen types as a network YAML and an hls4ml configuration
=============  ================================================================

The simulator and the results file are the sweep's (``accel.sweep``): a tune run is a
sweep whose points are chosen one round at a time.
"""
