"""PyTorch's ``LocalResponseNorm`` put back together from its ONNX decomposition.

``torch.onnx.export`` writes ``nn.LocalResponseNorm`` not as one ``LRN`` node but as its
decomposition: ``x*x`` → pad the channels → ``AveragePool`` over ``size`` channels →
``* alpha`` → ``+ k`` → ``Pow(beta)`` → ``x / that`` (with reshapes and shape arithmetic
between). That chain, from the ``Mul`` of a tensor by itself to the ``Div`` of the same
tensor, is recognised and imported as one LRN layer (``pytorch`` convention: the average
divides by the size), with constant folding on (its default) or off (as the hls4ml path
exports, which leaves the padding's shape arithmetic in the graph).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# what may stand inside PyTorch's LRN decomposition besides its Mul, AveragePool, Add, Pow, Div:
# the shape arithmetic of its channel padding (more of it without constant folding)
LRN_PLUMBING = {"Constant", "Reshape", "ConstantOfShape", "Concat", "Slice", "Transpose", "Cast", "Pad", "Shape",
                "Gather", "Equal", "If", "Unsqueeze", "Squeeze", "Expand", "Sub", "Add", "Mul", "Div", "Range",
                "Where", "Max", "Min", "Neg"}


@dataclass
class DecomposedLrn:
    """An LRN decomposition being read: from the ``Mul`` that squared ``x`` (at ``start``)."""

    x: str
    start: str
    found: dict = field(default_factory=dict)  # size, alpha, k, beta as they are read

    def read(self, node, attrs: dict, constants: dict[str, np.ndarray], where: str) -> dict | None:
        """Take one node of the chain; the LRN layer's fields once the ``Div`` of ``x`` ends it."""
        op, found = node.op_type, self.found
        if op == "AveragePool":
            if attrs.get("count_include_pad", 0) != 1:
                raise ValueError(f"{where}: an LRN decomposition averages with count_include_pad=1")
            found["size"] = int(attrs["kernel_shape"][0])
        elif op in ("Mul", "Add", "Pow") and "size" in found and len(node.input) == 2 and node.input[1] in constants:
            # after the average: before it, a Mul or Add is the padding's shape arithmetic
            value = np.asarray(constants[node.input[1]]).reshape(-1)[0]
            # the shortest decimal of the stored (float32) constant: 1e-4, not 9.999999747e-05
            found[{"Mul": "alpha", "Add": "k", "Pow": "beta"}[op]] = float(str(value))
        elif op == "Div" and node.input[0] == self.x:
            missing = [key for key in ("size", "alpha", "k", "beta") if key not in found]
            if missing:
                raise ValueError(f"{self.start}: x*x ... x/(...) is not a local response normalization "
                                 f"(no {', '.join(missing)} found)")
            return {"size": found["size"], "alpha": found["alpha"], "beta": found["beta"], "k": found["k"],
                    "alpha_convention": "pytorch"}
        elif op not in LRN_PLUMBING:
            raise ValueError(f"{where}: unsupported op inside what began as an LRN at {self.start} "
                             f"(a tensor squared); only PyTorch's LocalResponseNorm decomposition is recognised")
        return None
