"""Hardware cost primitives the per-layer estimators are built from (issue 5 builds the
estimators and reports on them): the ``Device`` type, BRAM/URAM mapping of arrays, DSPs
per multiplier, and loop latency formulas. The database of real devices lives in
``accel.devices``; these modules only describe and compute.
"""
