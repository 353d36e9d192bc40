"""accel: networks, the simulator, testbenches, the estimator and the command line ``accel``.

Built on ``layers`` (bit-accurate kernels, each with its loop nest, cost model and C++)
and ``quant`` (the fixed-point types); prints through ``reports``. The simulation core
lives at the top (``network``, ``config``, ``weights``, ``simulator``, ``classify``,
``testbench``, ``vectors``, ``cifar``), the network-level estimator and DSE beside it
(``estimator``, ``dse``), and three wings below: ``cli/`` (one module per command),
``sweep/`` (bit-width sweeps) and ``importers/`` (ONNX, Keras, PyTorch). See
``ARCHITECTURE.md``.
"""
