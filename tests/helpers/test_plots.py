"""helpers.plots: the 8 x 8 digit picture of notebooks 01-02, and the one to_numpy, both without torchvision."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import torch

from helpers import digits, images, plots


def test_imports_no_torchvision() -> None:
    """The digit notebooks draw with plots; it must not pull in torchvision (images does)."""
    code = "import sys, helpers.plots; print('torchvision' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr


def test_show_digit_draws_ink_on_white_or_a_signed_template() -> None:
    fig, (left, right) = plt.subplots(1, 2)
    digit = torch.linspace(0, 1, 64, dtype=torch.float64)
    shown = plots.show_digit(left, digit, "a digit")
    assert np.array_equal(shown.get_array(), digits.as_image(digit))
    assert shown.get_cmap().name == "gray_r" and shown.get_clim() == (0, 1)
    assert left.get_title() == "a digit" and not left.axison
    weights = np.linspace(-2, 1, 64)
    template = plots.show_digit(right, weights, signed=True)
    assert template.get_cmap().name == "bwr" and template.get_clim() == (-2, 2) and right.get_title() == ""
    assert plots.show_digit(right, weights, signed=True, limit=5).get_clim() == (-5, 5)
    plt.close(fig)


def test_one_to_numpy() -> None:
    """The one to_numpy is plots': images has none of its own."""
    assert not hasattr(images, "to_numpy")
    picture = plots.to_numpy(torch.zeros(1, 3, 4, 5))
    assert picture.shape == (4, 5, 3)
