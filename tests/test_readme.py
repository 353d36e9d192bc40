"""The README as a user runs it: its network file loads, its Python snippets run, and every
``accel`` line of its *Commands* block is a command ``accel`` accepts (the cheap ones are run)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from accel.cli import _parser, main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def command_lines() -> list[list[str]]:
    """The ``accel ...`` lines of the Commands block, comments and ``[optional]`` parts removed."""
    block = next(b for b in blocks("sh") if "accel run --cifar" in b)
    lines = []
    for line in block.splitlines():
        line = re.split(r"\s#\s", line)[0].strip()
        for part in line.split(";"):
            part = re.sub(r"\[[^\]]*\]", "", part).strip()
            if part.startswith("accel ") and "COMMAND" not in part:
                lines.append(shlex.split(part)[1:])
    return lines


def test_the_network_file_example_loads() -> None:
    from accel.config import network_from_dict
    import yaml

    (example,) = [b for b in blocks("yaml") if "name: my_net" in b]
    network = network_from_dict(yaml.safe_load(example), "README.md")
    assert network.preprocess is not None and network.tolerance("fc1")["abs"] == 0.1
    assert dict(network.layer("conv1").directives.unroll) == {"i": 0, "n": 3}


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_the_python_snippets_run(index) -> None:
    exec(compile(blocks("python")[index], f"README.md python block {index}", "exec"), {})


def test_every_command_line_is_accepted_by_the_parser() -> None:
    lines = command_lines()
    assert len(lines) > 20
    parser = _parser()
    for argv in lines:
        try:
            args, extra = parser.parse_known_args(argv)
        except SystemExit as done:  # --version exits 0 after printing; an error exits 2
            if done.code:
                pytest.fail(f"the README's 'accel {' '.join(argv)}' is refused by the parser")
            continue
        assert not extra, f"the README's 'accel {' '.join(argv)}': unknown {extra}"


@pytest.mark.parametrize("argv", [["quant", "ap_fixed<16,4,AP_RND,AP_SAT>", "3.14159", "-2.5", "9"],
                                  ["run", "--images", "100", "--format", "json"], ["report"], ["--version"]])
def test_cheap_commands_run_as_written(argv, capsys) -> None:
    assert argv in command_lines() or argv == ["--version"]
    assert main(argv) == 0
    assert capsys.readouterr().out


def test_the_graph_example_is_a_network() -> None:
    """The skip-and-branch fragment, after a conv1 of its own, loads and runs."""
    import numpy as np
    import yaml

    from accel.config import network_from_dict
    from accel.simulator import simulate
    from accel.weights import seeded_weights

    (fragment,) = [b for b in blocks("yaml") if "op: add" in b]
    t = "ap_fixed<16,6>"
    network = network_from_dict({
        "name": "graph", "input": {"shape": [3, 8, 8], "type": t},
        "defaults": {"types": {"weight": t, "bias": t, "accum": "ap_fixed<32,12>", "result": t}},
        "layers": [{"name": "conv1", "op": "conv", "out_channels": 4, "kernel": 3, "padding": 1},
                   *yaml.safe_load(fragment)]}, "README.md")
    assert network.sources(2) == ("conv2", "conv1") and network.output_shape == (6, 8, 8)
    sim = simulate(network, seeded_weights(network, 0), np.zeros((1, 3, 8, 8)))
    assert sim.output.values().shape == (1, 6, 8, 8)
