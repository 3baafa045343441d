"""`python -m helpers.lab`: run a study of the lab and write its table into data/studies/ (see helpers.lab)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import torch

from .. import models, settings
from ..errors import ParameterError, TrickNetsError
from . import design, tables
from .accuracy import accuracy_study
from .dogs import dog_study
from .transfer import transfer_study


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.lab",
                                     description="Run a study of the lab and write its table (data/studies/).")
    parser.add_argument("study", choices=["accuracy", "dogs", "transfer"])
    parser.add_argument("--model", default="efficientnet_lite0", choices=[m for m in models.MODELS if m != "googlenet"])
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                        help="processes, one torch thread each (default: 2, or 1 on a 1-core machine)")
    parser.add_argument("--out", type=str, default=None, help="the table to write (default: data/studies/...)")
    parser.add_argument("--dog-sample", type=int, default=design.DOG_SAMPLE, metavar="N",
                        help=f"dogs study: attack a seeded random N of the correctly classified dogs and their "
                             f"matches (default {design.DOG_SAMPLE}; 0: every one)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.dog_sample == 1 or args.dog_sample < 0:
        parser.error("--dog-sample needs at least 2 photos (or 0 for every correctly classified dog)")
    if args.study == "transfer" and args.model != design.TRANSFER_NETWORKS[0]:
        parser.error(f"the transfer study attacks {design.TRANSFER_NETWORKS[0]} and shows the results to the other "
                     f"two; run it with --model {design.TRANSFER_NETWORKS[0]} (the default)")
    if settings.dtype() != torch.float64:
        print(f"note: {settings.PRECISION_VAR} is not float64: the notebooks' live re-computation will not match.",
              file=sys.stderr)
    out = tables.table_path(args.study, args.model) if args.out is None else Path(args.out)
    try:
        if args.study == "dogs":
            summary = dog_study(args.model, args.workers, settings.progress_enabled(), out,
                                dog_sample=args.dog_sample or None)
        elif args.study == "transfer":
            summary = transfer_study(args.model, args.workers, settings.progress_enabled(), out)
        else:
            summary = accuracy_study(args.model, args.workers, settings.progress_enabled(), out)
    except (TrickNetsError, ParameterError) as exc:
        print(f"helpers.lab: {exc}", file=sys.stderr)
        return 1
    run_seconds = summary.pop("run_seconds")
    assert isinstance(run_seconds, int)  # the studies record whole seconds
    minutes, seconds = divmod(run_seconds, 60)
    print(f"{args.study} study, {args.model}: {summary.pop('rows')} rows in {summary.pop('table')}; "
          f"run time {minutes} min {seconds} s; " + "; ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
