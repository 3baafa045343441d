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
