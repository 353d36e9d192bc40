"""A Keras functional model's wiring: which layers' outputs each layer takes
(``inbound_nodes``), and the ``inputs:`` of the layers made from it.

A Keras layer may make several of our layers (a Dense with its activation, under hls4ml),
one (most), or none (Dropout passes its input through; a BatchNormalization or a ReLU
folds into the conv/dense before it — only when it alone reads that layer's output, or
the other readers would see it folded too). ``tensors`` maps each Keras layer to the
tensor of ours that holds its output.
"""

from __future__ import annotations

from pathlib import Path


def inbound(entry: dict) -> list[str]:
    """The names of the Keras layers whose outputs ``entry`` takes (a functional model's
    ``inbound_nodes``; a Sequential model's have none: the layer before)."""
    names = []

    def visit(node) -> None:
        if isinstance(node, dict):
            history = node.get("config", {}).get("keras_history") if node.get("class_name") == "__keras_tensor__" else None
            if history:
                names.append(history[0])
            else:
                for value in node.values():
                    visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)
    for node in entry.get("inbound_nodes") or []:
        if isinstance(node, dict):
            visit(node.get("args", []))
        else:  # Keras 2's [[name, node, tensor, kwargs], ...]
            names += [item[0] for item in node if isinstance(item, list) and item and isinstance(item[0], str)]
    return names


def wired_add(builder, entry: dict, stored: dict, tensors: dict[str, str], path: Path) -> None:
    """Add ``entry``'s layers to ``builder`` and wire them: the first takes the tensors of
    the Keras layers it names (``inputs:``, where that is not simply the layer before)."""
    name, sources = entry["config"]["name"], inbound(entry)
    if entry["class_name"] == "InputLayer":
        builder.add(entry, stored)
        tensors[name] = "input"
        return
    unknown = [s for s in sources if s not in tensors]
    if unknown:
        raise ValueError(f"{path}: layer {name!r} takes {unknown}, which come later in the model or not at all")
    wanted = [tensors[s] for s in sources]
    before = len(builder.layers)
    last = builder.layers[-1]["name"] if builder.layers else "input"
    # a ReLU or BatchNormalization folds into the layer before it only if it reads that layer's
    # output and nothing else does (else the other readers would see it folded too)
    builder.may_fold = not wanted or (wanted == [last] and builder.readers.get(sources[0], 0) <= 1)
    if not builder.may_fold and entry["class_name"] == "BatchNormalization" and not builder.keeps_batchnorm:
        raise ValueError(f"{path}: layer {name!r} (BatchNormalization) is folded into the layer before it, but "
                         f"it takes {sources}, or that layer's output is read by others too: only a "
                         f"BatchNormalization that alone reads its conv/dense can be folded")
    builder.add(entry, stored)
    made = builder.layers[before:]
    if made:
        if wanted and wanted != [last]:
            made[0]["inputs"] = wanted
        tensors[name] = made[-1]["name"]
    else:  # passed through (Dropout) or folded into the layer before it (BatchNormalization)
        tensors[name] = wanted[0] if wanted else last
