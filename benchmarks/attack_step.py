"""How much does helpers.attacks add on top of the network's own forward + backward pass?

One attack step is: forward, log-softmax, backward to the input, a signed step, a projection,
and recording the probabilities. Everything but the forward and backward pass should be
negligible. This script times, on the same model and batch, interleaved:

  bare:    `model(x)` and `.backward()` of one logit to the input, `steps` times;
  helpers: `attacks.iterative_attack(..., steps=steps)` (its extra final forward pass included),

and prints the median time per step of each, then the ratio helpers / bare (last line).

    python benchmarks/attack_step.py                # batch 4, 20 steps, 7 repeats
    python benchmarks/attack_step.py --batch 16 --device cuda
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch

from helpers import attacks, images, models, settings


def _timer(device: torch.device) -> Callable[[], float]:
    def now() -> float:
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter()

    return now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--device", default=None, help="default: TRICKNETS_DEVICE, else CUDA when available")
    args = parser.parse_args()

    device = torch.device(args.device) if args.device else settings.device()
    model = models.load(args.model, device=device)
    photos = [images.load(name) for name in ("coffee", "chelsea", "grace_hopper")]
    x = torch.cat([photos[i % len(photos)] for i in range(args.batch)]).to(device)
    target = model.class_index("paper towel")
    now = _timer(device)

    def bare() -> float:
        start = now()
        for _ in range(args.steps):
            xi = x.detach().requires_grad_(True)
            model(xi)[:, target].sum().backward()
        return (now() - start) / args.steps

    def ours() -> float:
        start = now()
        attacks.iterative_attack(model, x, target=target, epsilon=4 / 255, steps=args.steps, progress=False)
        return (now() - start) / args.steps

    bare(), ours()  # warm-up: allocator, kernels, caches
    times: dict[str, list[float]] = {"bare": [], "helpers": []}
    for r in range(args.repeats):
        order = (("bare", bare), ("helpers", ours)) if r % 2 == 0 else (("helpers", ours), ("bare", bare))
        for name, fn in order:
            times[name].append(fn())

    b, h = statistics.median(times["bare"]), statistics.median(times["helpers"])
    print(f"model {args.model} on {device}, batch {args.batch}, {args.steps} steps, {args.repeats} interleaved repeats, "
          f"torch threads {torch.get_num_threads()}")
    print(f"bare forward+backward: {1000 * b:8.1f} ms/step  (all: {', '.join(f'{1000 * t:.0f}' for t in times['bare'])})")
    print(f"helpers.attacks step:  {1000 * h:8.1f} ms/step  (all: {', '.join(f'{1000 * t:.0f}' for t in times['helpers'])})")
    print(f"ratio helpers / bare: {h / b:.3f}")


if __name__ == "__main__":
    main()
