"""Loading many photos at once: helpers.images.load_many (threads) against a plain loop of images.load.

Both decode the same N photos of the imagenet-samples set into one N x 3 x 224 x 224 batch, with the
same result (checked); the runs are interleaved and the medians printed, then the speed-up (last line).

    python benchmarks/load_photos.py                 # 200 photos, 5 repeats
    python benchmarks/load_photos.py --photos 1000

Needs the set (TRICKNETS_MIRROR with imagenet-samples/, or `python -m helpers.fetch --set imagenet-samples`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

from helpers import images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    names = [images.imagenet_sample(c) for c in range(0, 1000, max(1, 1000 // args.photos))][: args.photos]
    images.load_many(names)  # warm the file cache and the sha256 checks alike for both
    times: dict[str, list[float]] = {"plain loop": [], "load_many": []}
    results = {}
    for r in range(args.repeats):
        for label in (("plain loop", "load_many") if r % 2 == 0 else ("load_many", "plain loop")):
            start = time.perf_counter()
            batch = torch.cat([images.load(n) for n in names]) if label == "plain loop" else images.load_many(names)
            times[label].append(time.perf_counter() - start)
            results[label] = batch
    assert torch.equal(results["plain loop"], results["load_many"])
    print(f"{len(names)} photos of the imagenet-samples set, {args.repeats} interleaved repeats, {os.cpu_count()} CPUs")
    for label, values in times.items():
        print(f"{label:11} {statistics.median(values):6.2f} s  ({1000 * statistics.median(values) / len(names):.1f} ms "
              f"per photo; all: {', '.join(f'{t:.2f}' for t in values)})")
    print(f"speed-up load_many / plain loop: {statistics.median(times['plain loop']) / statistics.median(times['load_many']):.2f}x")


if __name__ == "__main__":
    main()
