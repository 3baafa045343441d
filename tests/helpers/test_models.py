"""helpers.models: the real pretrained network, class names, and GoogLeNet's loading path without a download."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import torch
from torchvision.models import GoogLeNet, GoogLeNet_Weights

from helpers import images, models, settings
from helpers.errors import InvalidInputError, SettingsError, UnknownClassError, UnknownModelError, WeightsUnavailableError


def test_class_names_come_from_torchvision(lite0) -> None:
    assert len(lite0.categories) == 1000
    assert lite0.categories == tuple(GoogLeNet_Weights.IMAGENET1K_V1.meta["categories"])
    assert lite0.categories[700] == "paper towel" and lite0.categories[23] == "vulture"


@pytest.mark.parametrize("name, index", [("paper towel", 700), ("Paper Towel", 700), ("  giant   panda ", 388),
                                         ("vulture", 23), ("bath towel", 434), (852, 852)])
def test_class_index(lite0, name, index) -> None:
    assert lite0.class_index(name) == index


def test_unknown_class_suggests_close_names(lite0) -> None:
    with pytest.raises(UnknownClassError, match="paper towel"):
        lite0.class_index("paper towl")
    with pytest.raises(UnknownClassError, match="giant panda"):
        lite0.class_index("panda bear")


def test_bad_class_ids(lite0) -> None:
    with pytest.raises(UnknownClassError, match="out of range"):
        lite0.class_index(1000)
    with pytest.raises(UnknownClassError, match="more than one"):
        lite0.class_index("cardigan")  # a dog breed (264) and a sweater (474)
    assert lite0.class_index(264) == 264


def test_search_classes(lite0) -> None:
    hits = [lite0.categories[i] for i in lite0.search_classes("towel")]
    assert {"paper towel", "bath towel"} <= set(hits)


def test_parameters_frozen_and_eval(lite0) -> None:
    assert not lite0.training
    assert all(not p.requires_grad for p in lite0.parameters())
    x = images.black().requires_grad_(True)
    lite0(x)[0, 700].backward()
    assert x.grad is not None and float(x.grad.abs().sum()) > 0  # the input gradient still flows


def test_pretrained_predictions_are_right(lite0) -> None:
    """The real weights: espresso is recognised; a randomly initialised net would not do this."""
    label, p = lite0.topk(images.load("coffee"), 1)[0]
    assert label == "espresso" and p > 0.8


def test_topk_is_sorted_and_sums_below_one(lite0) -> None:
    top = lite0.topk(images.load("chelsea"), 5)
    probs = [p for _, p in top]
    assert probs == sorted(probs, reverse=True) and sum(probs) <= 1.0 + 1e-6
    assert all("cat" in label or label == "tabby" for label, _ in top[:3])


def test_wrong_input_shape_gets_a_clear_error(lite0) -> None:
    with pytest.raises(InvalidInputError, match="N x 3 x H x W"):
        lite0(torch.zeros(3, 224, 224))
    with pytest.raises(InvalidInputError, match="one image"):
        lite0.topk(torch.zeros(2, 3, 224, 224))


def test_unknown_model_name() -> None:
    with pytest.raises(UnknownModelError, match="efficientnet_lite0"):
        models.load("efficientnet_lite9")


def test_device_variable(monkeypatch) -> None:
    monkeypatch.setenv("TRICKNETS_DEVICE", "cpu")
    assert settings.device() == torch.device("cpu")
    monkeypatch.setenv("TRICKNETS_DEVICE", "toaster")
    with pytest.raises(SettingsError, match="TRICKNETS_DEVICE"):
        settings.device()
    if not torch.cuda.is_available():
        monkeypatch.setenv("TRICKNETS_DEVICE", "cuda")
        with pytest.raises(SettingsError, match="no CUDA"):
            settings.device()
    monkeypatch.delenv("TRICKNETS_DEVICE")
    assert settings.device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_precision_setting(monkeypatch) -> None:
    assert settings.dtype() == torch.float64  # the default: the same numbers on every machine
    monkeypatch.setenv("TRICKNETS_PRECISION", "Float32")
    assert settings.dtype() == torch.float32
    monkeypatch.setenv("TRICKNETS_PRECISION", "half")
    with pytest.raises(SettingsError, match="TRICKNETS_PRECISION='half'.*float64"):
        settings.dtype()


def test_models_compute_in_the_chosen_precision(lite0) -> None:
    assert lite0.dtype == torch.float64  # conftest's lite0 uses the default
    x = images.load("coffee")  # float32 pixels are converted
    assert lite0(x).dtype == torch.float64
    fast = lite0.in_precision(torch.float32)
    assert fast is not lite0 and fast.dtype == torch.float32 and lite0.dtype == torch.float64
    assert lite0.in_precision(torch.float64) is lite0
    p64, p32 = lite0.probabilities(x)[0], fast.probabilities(x)[0]
    assert int(p64.argmax()) == int(p32.argmax()) == 967
    assert float((p64 - p32.double()).abs().max()) < 1e-4  # the same network, rounded differently
    assert models.load("efficientnet_lite0", device="cpu", dtype=torch.float32).dtype == torch.float32


def test_format_predictions() -> None:
    assert models.format_predictions([("giant panda", 0.95761), ("hog", 0.0016)]) == "giant panda 95.8% | hog 0.2%"
    assert models.format_predictions([("a", 0.123456)], decimals=3) == "a 12.346%"
    assert models.format_predictions([]) == ""


# --- GoogLeNet: the real loading code, tested without a download ------------------------
@pytest.fixture
def empty_torch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch"


def test_googlenet_loads_from_the_hub_cache(empty_torch_home: Path) -> None:
    """A checkpoint in torchvision's format, placed where torch hub caches it, is found and loaded strictly."""
    reference = GoogLeNet(transform_input=True, aux_logits=True, init_weights=True)
    path = models.googlenet_checkpoint()
    assert path.is_relative_to(empty_torch_home) and path.name == GoogLeNet_Weights.IMAGENET1K_V1.url.rsplit("/", 1)[-1]
    path.parent.mkdir(parents=True)
    torch.save(reference.state_dict(), path)

    model = models.load("googlenet", device="cpu")
    assert model.name == "googlenet" and model.net.aux1 is None and not model.net.aux_logits
    x = images.load("coffee")
    with torch.no_grad():
        reference.eval()
        expected = reference(((x - model.mean) / model.std).float())   # the reference computes in float32
    assert torch.allclose(model(x), expected.to(model.dtype), atol=1e-5)


def test_googlenet_offline_says_how_to_get_weights(empty_torch_home: Path, monkeypatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    name = models.GOOGLENET_URL.rsplit("/", 1)[-1]
    monkeypatch.setattr(models, "GOOGLENET_URL", f"http://127.0.0.1:{port}/{name}")
    with pytest.raises(WeightsUnavailableError) as info:
        models.load("googlenet", device="cpu")
    message = str(info.value)
    assert "python -m helpers.fetch --models googlenet" in message and "TORCH_HOME" in message
    assert not any(empty_torch_home.rglob("*.pth"))  # no half-written checkpoint left behind


def test_refuses_pickled_code_in_weights(empty_torch_home: Path) -> None:
    """Weights load with weights_only=True: a checkpoint that carries arbitrary objects is refused."""
    path = models.googlenet_checkpoint()
    path.parent.mkdir(parents=True)

    class Sneaky:
        def __reduce__(self):
            return (print, ("this would run code",))

    torch.save({"payload": Sneaky()}, path)
    with pytest.raises(WeightsUnavailableError):
        models.load("googlenet", device="cpu")
