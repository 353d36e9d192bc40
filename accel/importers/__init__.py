"""Weights and topologies from the frameworks models are trained in.

- ``torch_state``: PyTorch ``state_dict`` files (``.pt``/``.pth``), read with
  ``torch.load(..., weights_only=True)`` so that no pickled code runs;
- ``onnx_model``: ONNX graphs → network description + weights;
- ``keras_model``: Keras ``.keras``/``.h5`` read with h5py (no TensorFlow): channels-last
  layouts, hwc flatten, BatchNormalization folded.
"""
