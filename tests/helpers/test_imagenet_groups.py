"""helpers.imagenet_groups: every class in exactly one superclass, and probability mass per superclass."""

from __future__ import annotations

import pytest
import torch

from helpers import imagenet_groups as groups
from helpers.errors import InvalidInputError, UnknownClassError
from helpers.models import IMAGENET_CATEGORIES


def test_every_class_is_in_exactly_one_group() -> None:
    counted = sorted(cid for name in groups.group_names() for cid in groups.class_ids(name))
    assert counted == list(range(1000))
    assert len(groups.GROUP_OF) == 1000


@pytest.mark.parametrize(
    ("group", "first", "last", "size"),
    [("dogs", "Chihuahua", "Mexican hairless", 118), ("domestic cats", "tabby", "Egyptian cat", 5),
     ("bears", "brown bear", "sloth bear", 4), ("big cats", "cougar", "cheetah", 8),
     ("wolves, foxes and wild dogs", "timber wolf", "grey fox", 12)],
)
def test_groups_match_the_imagenet_names(group: str, first: str, last: str, size: int) -> None:
    ids = groups.class_ids(group)
    assert len(ids) == size
    assert (IMAGENET_CATEGORIES[ids[0]], IMAGENET_CATEGORIES[ids[-1]]) == (first, last)


def test_dog_group_is_the_classic_range() -> None:
    assert groups.class_ids("dogs") == list(range(151, 269))


@pytest.mark.parametrize(
    ("class_id", "group"),
    [(263, "dogs"), (388, "other mammals"), (23, "birds"), (9, "birds"), (281, "domestic cats"),
     (296, "bears"), (700, "objects"), (967, "food"), (999, "objects"), (0, "fish")],
)
def test_group_of(class_id: int, group: str) -> None:
    assert groups.group_of(class_id) == group


@pytest.mark.parametrize("bad", [-1, 1000, 3.0, "263", True])
def test_group_of_refuses_non_ids(bad: object) -> None:
    with pytest.raises(UnknownClassError, match="0 to 999"):
        groups.group_of(bad)  # type: ignore[arg-type]  # wrong types on purpose


def test_unknown_group_lists_the_known_ones() -> None:
    with pytest.raises(UnknownClassError, match="dogs"):
        groups.class_ids("unicorns")


def test_group_probability_sums_the_group() -> None:
    probs = torch.zeros(2, 1000)
    probs[0, 263] = 0.7  # Pembroke
    probs[0, 264] = 0.2  # Cardigan
    probs[0, 23] = 0.1  # vulture
    probs[1, 388] = 1.0  # giant panda
    assert torch.allclose(groups.group_probability(probs, "dogs"), torch.tensor([0.9, 0.0]))
    assert torch.allclose(groups.group_probability(probs, "birds"), torch.tensor([0.1, 0.0]))
    assert torch.allclose(groups.group_probability(probs, "other mammals"), torch.tensor([0.0, 1.0]))


def test_group_probabilities_of_a_history_add_up_to_one() -> None:
    history = torch.rand(4, 3, 1000, generator=torch.Generator().manual_seed(0)).softmax(dim=-1)  # steps x images
    masses = groups.group_probabilities(history)
    assert list(masses) == groups.group_names()
    assert all(m.shape == (4, 3) for m in masses.values())
    assert torch.allclose(sum(masses.values()), torch.ones(4, 3))
    chosen = groups.group_probabilities(history[0], ["dogs", "bears"])
    assert list(chosen) == ["dogs", "bears"] and chosen["bears"].shape == (3,)


def test_group_probability_refuses_wrong_shape() -> None:
    with pytest.raises(InvalidInputError, match="1000 class probabilities"):
        groups.group_probability(torch.ones(2, 10), "dogs")
    with pytest.raises(InvalidInputError, match="list"):
        groups.group_probability([0.5] * 1000, "dogs")  # type: ignore[arg-type]  # a list on purpose
