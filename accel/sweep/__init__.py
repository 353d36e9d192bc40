"""Bit-width sweeps: accuracy and hardware cost over a grid of types.

=================  ===========================================================
``grid``           the points (W, I, accumulator, scope) and how one retypes a network
``ranges``         automatic integer bits from the float model's ranges
``task``           the unit of work: some points on one chunk of images (runs in workers)
``tally``          ``RunTally``: a point's counts, mergeable across chunks
``results_file``   the JSON-lines file a sweep appends to and resumes from
``executors``      a local process pool or a Dask cluster
``plan``           ``SweepPlan``, ``run_sweep`` and the summary rows with costs
``pareto``         the front of accuracy against cost
=================  ===========================================================
"""
