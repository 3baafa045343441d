"""The one way each plain argument is checked: a whole number, a positive number, a class id. Plumbing.

Every helper that takes a count (steps, restarts, noisy copies, ...), a positive setting (sigma, a radius, a
learning rate) or a class id checks it here, so each mistake gets the same message everywhere: what was wrong
and what to give instead (helpers.errors). The pixel and budget checks of the attacks build on these
(helpers.pixels). Standard library only.
"""

from __future__ import annotations

import math
import numbers

from .errors import ParameterError, UnknownClassError


def whole_number(value: object, name: str, minimum: int = 1) -> int:
    """`value` if it is an int (not a bool) of at least `minimum`; a ParameterError naming `name` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ParameterError(f"{name} must be a whole number >= {minimum}, got {value!r}.")
    return value


def positive_number(value: object, name: str, unit: str = "") -> float:
    """`value` if it is a finite real number (not a bool) above 0; a ParameterError naming `name` otherwise.

    unit: what the number counts, for the message, e.g. " of pixel units (e.g. 2/255 for two grey levels)".
    """
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)
            or value <= 0):
        raise ParameterError(f"{name} must be a positive number{unit}, got {value!r}.")
    return float(value)


def class_id(value: object, count: int, whose: str = "ImageNet", *, or_name: bool = False) -> int:
    """`value` if it is a class id, an int (not a bool) from 0 to count - 1; an UnknownClassError otherwise.

    whose: who has the classes, for the message; or_name: the caller also takes class names (a model does).
    """
    if isinstance(value, bool) or not isinstance(value, int):
        names = " or a name like 'paper towel'" if or_name else ""
        raise UnknownClassError(f"a class id is a whole number from 0 to {count - 1}{names}, got {value!r}.")
    if not 0 <= value < count:
        raise UnknownClassError(f"class id {value} is out of range; {whose} has ids 0 to {count - 1}.")
    return value
