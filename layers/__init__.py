"""Bit-accurate accelerator layers, each with its HLS loop nest and a float reference.

=========  ==========================================================
``Conv``    convolution (stride, padding, groups, tiles, loop order)
``Dense``   fully connected (tiles over inputs and outputs)
``LRN``     local response normalization: exact, linear, pwl
``MaxPool`` max pooling, overlapping or not
``Flatten`` (C, H, W) -> vector in ``chw`` (PyTorch) or ``hwc`` (Keras) order
``ReLU``    ReLU as its own layer (or fused into conv/dense)
=========  ==========================================================

Every layer implements ``output_shape``, ``loop_nest``, ``run_fixed`` and ``run_float``
(``layers.base.Layer``). Built on ``quant``.
"""

from .base import Layer, LayerResult
from .conv import Conv
from .dense import Dense
from .flatten import Flatten
from .loop_nest import Directives, LoopNest
from .lrn import LRN
from .maxpool import MaxPool
from .relu import ReLU
from .types import LayerTypes, StageStats

__all__ = ["Layer", "LayerResult", "Conv", "Dense", "Flatten", "LRN", "MaxPool", "ReLU",
           "LoopNest", "Directives", "LayerTypes", "StageStats"]
