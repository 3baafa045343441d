"""ImageNet's 1000 classes sorted into 20 superclasses (dogs, domestic cats, bears, ...): notebook 05.

"Still a dog" is a statement about a *group* of classes: ImageNet has 118 dog breeds but one
giant panda. To test whether an attack leaves dogs, notebook 05 adds up the probability
inside each group instead of looking at the single top class. The groups follow runs of
neighbouring class ids, which ImageNet orders by WordNet's tree, so every class id 0-999
belongs to exactly one group. This module is the one place the dog range (151-268) is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import torch

from . import checks
from .errors import InvalidInputError, UnknownClassError

#: Superclass name -> the runs of class ids it covers (end exclusive, like range()).
GROUPS: Mapping[str, tuple[range, ...]] = {
    "fish": (range(0, 7), range(389, 398)),
    "birds": (range(7, 25), range(80, 101), range(127, 147)),
    "amphibians": (range(25, 33),),
    "reptiles": (range(33, 69),),
    "spiders, crabs and other invertebrates": (range(69, 80), range(107, 127), range(327, 330)),
    "insects": (range(300, 327),),
    "marine mammals": (range(147, 151),),
    "dogs": (range(151, 269),),
    "wolves, foxes and wild dogs": (range(269, 281),),
    "domestic cats": (range(281, 286),),
    "big cats": (range(286, 294),),
    "bears": (range(294, 298),),
    "hoofed mammals": (range(339, 356),),
    "primates": (range(365, 385),),
    # elephants, pandas, marsupials, rodents, rabbits, weasels, mongooses, ...
    "other mammals": (range(101, 107), range(298, 300), range(330, 339), range(356, 365), range(385, 389)),
    "objects": (range(398, 923), range(999, 1000)),
    "food": (range(923, 970),),
    "landscapes": (range(970, 981),),
    "people": (range(981, 984),),
    "plants and fungi": (range(984, 999),),
}

NUM_CLASSES = 1000


def _build_lookup() -> tuple[str, ...]:
    owner: list[str | None] = [None] * NUM_CLASSES
    for name, runs in GROUPS.items():
        for run in runs:
            for cid in run:
                if owner[cid] is not None:
                    raise AssertionError(f"class {cid} is in both {owner[cid]!r} and {name!r}")
                owner[cid] = name
    missing = [cid for cid, name in enumerate(owner) if name is None]
    if missing:
        raise AssertionError(f"classes without a group: {missing}")
    return tuple(name for name in owner if name is not None)


#: GROUP_OF[class_id] is the name of that class's group.
GROUP_OF: tuple[str, ...] = _build_lookup()


def group_names() -> list[str]:
    """Every group name, in the order of GROUPS."""
    return list(GROUPS)


def _check_group(group: str) -> str:
    if group not in GROUPS:
        raise UnknownClassError(f"no superclass called {group!r}; choose one of: {', '.join(GROUPS)}.")
    return group


def group_of(class_id: int) -> str:
    """The superclass of one ImageNet class id (e.g. 263 Pembroke -> 'dogs')."""
    return GROUP_OF[checks.class_id(class_id, NUM_CLASSES)]


def class_ids(group: str) -> list[int]:
    """The class ids of one superclass, ascending (class_ids("dogs") is 151-268, the 118 breeds)."""
    return sorted(cid for run in GROUPS[_check_group(group)] for cid in run)


def group_probability(probs: torch.Tensor, group: str) -> torch.Tensor:
    """The probability the model gives to a whole superclass: the sum over its classes.

    probs has 1000 class probabilities in its last dimension (one image, a batch, or an
    attack's steps x images history); the result has that dimension summed away.
    """
    if not isinstance(probs, torch.Tensor) or probs.shape[-1] != NUM_CLASSES:
        shape = tuple(probs.shape) if isinstance(probs, torch.Tensor) else type(probs).__name__
        raise InvalidInputError(f"expected a tensor with {NUM_CLASSES} class probabilities in its last dimension, "
                                f"got {shape}; use model.probabilities(x) or an attack's history.")
    ids = torch.tensor(class_ids(group), device=probs.device)
    return probs.index_select(-1, ids).sum(dim=-1)


def group_probabilities(probs: torch.Tensor, groups: Iterable[str] | None = None) -> dict[str, torch.Tensor]:
    """group_probability for several superclasses at once (default: all of them); the values add up to 1."""
    return {g: group_probability(probs, g) for g in (group_names() if groups is None else groups)}
