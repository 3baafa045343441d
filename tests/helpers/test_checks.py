"""helpers.checks: one check for a whole number, a positive number and a class id, with messages that say what to do."""

from __future__ import annotations

import pytest

from helpers import checks
from helpers.errors import ParameterError, UnknownClassError


@pytest.mark.parametrize("bad", [0, -3, 2.0, True, "3", None])
def test_whole_number_refuses(bad: object) -> None:
    with pytest.raises(ParameterError, match=r"steps must be a whole number >= 1"):
        checks.whole_number(bad, "steps")


def test_whole_number_accepts_and_returns() -> None:
    assert checks.whole_number(5, "steps") == 5
    assert checks.whole_number(0, "a class id", minimum=0) == 0
    with pytest.raises(ParameterError, match=">= 2"):
        checks.whole_number(1, "levels", minimum=2)


@pytest.mark.parametrize("bad", [0, -0.5, float("nan"), float("inf"), True, "0.1", None])
def test_positive_number_refuses(bad: object) -> None:
    with pytest.raises(ParameterError, match=r"sigma must be a positive number of pixel units, got"):
        checks.positive_number(bad, "sigma", " of pixel units")


def test_positive_number_accepts() -> None:
    assert checks.positive_number(2 / 255, "epsilon") == 2 / 255
    assert checks.positive_number(3, "lr") == 3.0


@pytest.mark.parametrize(("bad", "message"), [(1000, "out of range; ImageNet has ids 0 to 999"), (-1, "out of range"),
                                              (True, "whole number from 0 to 999, got True"), (3.0, "got 3.0")])
def test_class_id_refuses(bad: object, message: str) -> None:
    with pytest.raises(UnknownClassError, match=message):
        checks.class_id(bad, 1000)


def test_class_id_accepts_and_names_the_owner() -> None:
    assert checks.class_id(0, 1000) == 0 and checks.class_id(999, 1000) == 999
    with pytest.raises(UnknownClassError, match="or a name like 'paper towel'"):
        checks.class_id(None, 1000, "efficientnet_lite0", or_name=True)
    with pytest.raises(UnknownClassError, match="efficientnet_lite0 has ids 0 to 9"):
        checks.class_id(10, 10, "efficientnet_lite0")


def test_every_helper_uses_the_one_check() -> None:
    """No helper re-writes a whole-number, positive-number or class-id check of its own."""
    from helpers import attacks, defences, imagenet_groups, models, pixels, smoothing, square, training
    from helpers.lab import difficulty

    for module in (attacks, pixels, smoothing, square, training, difficulty, defences):
        assert getattr(module, "whole_number") is checks.whole_number, module.__name__
    assert models.checks is imagenet_groups.checks is checks and difficulty.class_id is checks.class_id
