"""Bit-accurate accelerator layers, each with its HLS loop nest and a float reference.

=========  ==========================================================
``AvgPool`` average pooling as hls4ml computes it (sum in ``accum_t``, divided, truncated)
``BatchNorm`` batch normalization as hls4ml computes it (scale and bias of their own types)
``Conv``    convolution (stride, padding, groups, tiles, loop order)
``Dense``   fully connected (tiles over inputs and outputs)
``LRN``     local response normalization: exact, linear, pwl
``MaxPool`` max pooling, overlapping or not
``Flatten`` (C, H, W) -> vector in ``chw`` (PyTorch) or ``hwc`` (Keras) order
``ReLU``    ReLU as its own layer (or fused into conv/dense)
``TableActivation`` sigmoid and tanh by hls4ml's lookup tables
``Activation`` hls4ml's linear, leaky/thresholded/parametric ReLU, ELU, hard sigmoid/tanh
``Softmax`` softmax by hls4ml's exp and inverse tables (stable, latency)
=========  ==========================================================

Every layer implements the interface of ``layers.core.base.Layer`` (shapes, loop nest,
fixed-point kernel, float reference, estimate, output type, retyping, tilings, C++) and
registers its YAML builder (``layers.config.registry``) in its own module. Built on ``quant``.
"""

from .activation import Activation
from .add import Add
from .avgpool import AvgPool
from .batchnorm import BatchNorm
from .concatenate import Concatenate
from .config.fields import ConfigError
from .config.registry import kinds
from .conv import Conv
from .conv1d import Conv1D
from .core.base import Layer, LayerResult, Retype
from .core.loop_nest import Directives, LoopNest
from .core.types import LayerTypes, StageStats
from .dense import Dense
from .flatten import Flatten
from .lrn import LRN
from .maxpool import MaxPool
from .maxpool1d import MaxPool1D
from .relu import ReLU
from .softmax import Softmax
from .table_activation import TableActivation

__all__ = ["Layer", "LayerResult", "Retype", "ConfigError", "kinds", "Activation", "Add", "AvgPool", "Concatenate", "Conv1D", "MaxPool1D", "BatchNorm", "Conv", "Dense", "Flatten", "LRN", "MaxPool", "ReLU", "Softmax", "TableActivation",
           "LoopNest", "Directives", "LayerTypes", "StageStats"]
