"""Bit-accurate accelerator layers (conv, LRN, max-pool, flatten, dense, ReLU), each with
its HLS loop nest, a float reference and a resource/latency model. Built on ``quant``."""
