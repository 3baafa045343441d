"""Exceptions the helpers raise on purpose, one per meaning.

Each says what was wrong and what to do about it, so a learner never has to read a stack
trace from deep inside torch. They subclass the built-in type a Python programmer would
expect (ValueError, LookupError, OSError), so ordinary `except` clauses still work.
"""


class TrickNetsError(Exception):
    """Base class: catch this to handle every deliberate helpers error (never raised itself)."""


# --- names that do not exist ------------------------------------------------------------
class UnknownImageError(TrickNetsError, LookupError):
    """An image name that is neither in a data manifest nor a packaged photo."""


class UnknownClassError(TrickNetsError, LookupError):
    """A class name or id, or a superclass name, that the model or helpers.imagenet_groups does not know."""


class UnknownModelError(TrickNetsError, LookupError):
    """A model name helpers.models.load does not know."""


# --- values that cannot work --------------------------------------------------------------
class ParameterError(TrickNetsError, ValueError):
    """A setting that cannot work: epsilon <= 0, steps < 1, a learning rate <= 0, a threshold outside (0, 1), ..."""


class InvalidInputError(TrickNetsError, ValueError):
    """Data of the wrong shape, or with values a model must not see (NaN, pixels outside [0, 1])."""


class SettingsError(TrickNetsError, ValueError):
    """An environment variable (TRICKNETS_*) set to a value the helpers cannot use."""


# --- files -----------------------------------------------------------------------------------
class ImageLoadError(TrickNetsError, ValueError):
    """A file that is missing, unreadable or not an image."""


class WeightsUnavailableError(TrickNetsError, OSError):
    """Pretrained weights that are neither cached nor downloadable right now."""


class DownloadError(TrickNetsError, OSError):
    """A file could not be downloaded (offline, server error)."""


class ChecksumError(DownloadError):
    """A downloaded or mirrored file whose sha256 is not the one its data manifest records."""


class TableError(TrickNetsError, ValueError):
    """A study table (data/studies/*.csv) that is missing, cut short, edited or damaged: never read in part."""
