"""Exceptions the helpers raise on purpose.

Each one says what was wrong and what to do about it, so a learner never has to read a
stack trace from deep inside torch. They subclass the built-in type a Python programmer
would expect (ValueError, LookupError, OSError) so ordinary `except` clauses still work.
"""


class TrickNetsError(Exception):
    """Base class: catch this to handle every deliberate helpers error."""


class UnknownImageError(TrickNetsError, LookupError):
    """An image name that is neither in data/images.json nor a packaged photo."""


class ImageLoadError(TrickNetsError, ValueError):
    """A file that is missing, unreadable or not an image."""


class UnknownClassError(TrickNetsError, LookupError):
    """A class name or index the model does not know (or a name that is ambiguous)."""


class UnknownModelError(TrickNetsError, LookupError):
    """A model name helpers.models.load does not know."""


class WeightsUnavailableError(TrickNetsError, OSError):
    """Pretrained weights that are neither cached nor downloadable right now."""


class AttackParameterError(TrickNetsError, ValueError):
    """An attack setting that cannot work (epsilon <= 0, steps < 1, ...)."""


class InvalidInputError(TrickNetsError, ValueError):
    """An input tensor of the wrong shape or with values a model must not see (NaN, outside [0, 1])."""


class DownloadError(TrickNetsError, OSError):
    """A file could not be downloaded (offline, server error)."""


class ChecksumError(DownloadError):
    """A downloaded or mirrored file whose sha256 is not the one recorded in data/images.json."""
