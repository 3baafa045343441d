from __future__ import annotations

import torch
from torch import nn

from helpers import attacks, compute


def test_a_model_reports_the_precision_and_device_of_its_tensors() -> None:
    model = nn.Linear(3, 2).to(torch.float64)
    assert compute.model_dtype(model) == torch.float64
    assert compute.model_device(model) == torch.device("cpu")


def test_a_model_without_float_tensors_falls_back_to_the_defaults() -> None:
    model = nn.Identity()
    assert compute.model_dtype(model) == torch.get_default_dtype()
    assert compute.model_device(model) == torch.device("cpu")


def test_the_attacks_use_the_one_way_of_asking() -> None:
    assert attacks.model_dtype is compute.model_dtype and attacks.model_device is compute.model_device


def test_chunks_cover_the_batch_in_order() -> None:
    assert compute.chunks(5, 2) == [slice(0, 2), slice(2, 4), slice(4, 5)]
    assert compute.chunks(3, 2 * 150_528, 150_528) == [slice(0, 2), slice(2, 3)]  # attacks: two photos at a time
    assert compute.chunks(2, 10, 100) == [slice(0, 1), slice(1, 2)]  # an item larger than the budget: one at a time
    assert compute.chunks(4, 100) == [slice(0, 4)]
    assert compute.chunks(0, 8) == []


def test_every_chunking_helper_uses_the_one_way() -> None:
    from helpers import smoothing
    from helpers.lab import accuracy, dogs

    assert attacks.chunks is smoothing.chunks is accuracy.chunks is dogs.chunks is compute.chunks
