"""accel: the network, the simulator, the testbenches and the command-line tool ``accel``.

Built on ``layers`` (bit-accurate kernels) and ``quant`` (the fixed-point types). For
now it holds the command-line front end of the fixed-point core (``accel quant``).
"""
