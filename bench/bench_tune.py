"""``accel tune`` on alexnet32: 1000 search images, 1000 held out, agreement >= 99 %.

    python bench/bench_tune.py [--cifar PATH] [--images 1000] [--objective score]

Runs the command itself (a fresh results file, two local workers, an Ultra96) and prints
the tuned design beside the shipped uniform ``ap_fixed<16,4>`` one — DSP, LUT, FF,
BRAM_18K and latency as ratios, agreement on the search and the held-out images — and
the time the search took.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accel.cli import main as accel  # noqa: E402
from accel.config import load_network  # noqa: E402
from accel.estimator import estimate_network  # noqa: E402
from accel.shipped import shipped_config  # noqa: E402

DEFAULT_CIFAR = Path(__file__).resolve().parents[2] / "shared" / "data" / "cifar-10-binary.tar.gz"
FIGURES = ("DSP", "LUT", "FF", "BRAM_18K", "latency_ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cifar", default=str(DEFAULT_CIFAR))
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--objective", default="score")
    parser.add_argument("--target", default="agreement>=99")
    args = parser.parse_args()
    if not Path(args.cifar).exists():
        sys.exit(f"{args.cifar}: CIFAR-10 is needed for {2 * args.images} images (--cifar PATH)")
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "tuned"
        began = time.perf_counter()
        status = accel(["tune", "--cifar", args.cifar, "--images", str(args.images), "--holdout", str(args.images),
                        "--target", args.target, "--objective", args.objective, "--board", "ultra96",
                        "--workers", "2", "--json", "--out", str(out)])
        seconds = time.perf_counter() - began
        if status != 0:
            sys.exit(f"accel tune failed ({status})")
        report = json.loads((out / "tune.json").read_text())
    network = load_network(shipped_config("alexnet32"))
    shipped = estimate_network(network, "ultra96", "config")
    uniform = {**shipped.total.resources(), "latency_ms": shipped.latency_ms()}
    tuned = report["tuned"]
    print(f"\naccel tune on alexnet32, {args.images} search + {report['images']['holdout']} held-out CIFAR-10 test "
          f"images, {args.target}, objective {args.objective}, Ultra96, 2 workers")
    print(f"  search: {seconds:.0f} s, {len(report['points'])} points simulated "
          f"({sum(p['images'] < args.images for p in report['points'])} dropped after a chunk)")
    print(f"  tuned widths: {tuned['label']}")
    print(f"  agreement: search {tuned['search']:.2f} %, held out {tuned['holdout']:.2f} % "
          f"(uniform 16-bit start: {report['start']['search']:.2f} %, {report['start']['holdout']:.2f} %)")
    print(f"  {'figure':>10}  {'<16,4> file':>12}  {'tuned':>10}  {'ratio':>6}")
    for figure in FIGURES:
        before, after = uniform[figure], tuned["resources"][figure]
        ratio = after / before if before else float("nan")
        print(f"  {figure:>10}  {before:>12,.4g}  {after:>10,.4g}  {ratio:>6.2f}")


if __name__ == "__main__":
    main()
