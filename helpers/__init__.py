"""tricknets helpers: the code the notebooks share, so the notebooks can stay about ideas.

Three kinds of module (CONTRIBUTING.md lists which is which). A *taught* helper is written out by hand
in a notebook first and checked there against the helper, value for value (`torch.equal`); its docstring
starts `Taught in NN §x`, naming that notebook and section, and later notebooks call it. *Plumbing* is not
taught: settings, errors, loading digits, photos and models, pictures, checkers. The *lab* (`helpers.lab`)
makes the study tables that notebooks 04-05 read. Import the module you need; nothing heavy is imported here.

  taught
    pixels           one signed step (03 §4a), the projection (03 §4b); the pixel and budget checks
    attacks          input gradients (03 §3), FGSM (02 §7), iterative attacks (03 §4b), PGD with restarts (02 §8)
    training         seeded small networks and the training loop for the digits (02 §1)
    defences         bit-depth reduction and BPDA's straight-through gradient (06 §1)
    square           the Square attack: a gradient-free random search in the L-infinity box (06 §1)
    smoothing        randomized smoothing: counts, CERTIFY, PREDICT, an attack on it (06 §3)
  plumbing
    settings         environment variables: device, precision, cache, mirror, progress bars
    errors           the exceptions helpers raise on purpose, one per meaning, each saying what to do
    compute          where and in what precision a model computes
    digits           scikit-learn's 8x8 digits in [0, 1], seeded splits
    models           pretrained ImageNet classifiers that take [0, 1] pixels and know their classes
    speed            exact, faster float64 versions of EfficientNet-Lite's layers
    photos           where each photo comes from; downloads a room survives (standard library only)
    images           photos by name or path as tensors (the series' and the ImageNet set)
    plots            8x8 digits, images, differences, gradients, top-k bars, probability curves (no torchvision)
    imagenet_groups  superclasses of the 1000 ImageNet classes (dogs, cats, bears, ...)
    files            files written whole or not at all, and their sha256
    fetch            `python -m helpers.fetch`: download everything the notebooks need, once
    exercises        answer checkers for the exercises: "correct" or a hint
  lab                `python -m helpers.lab`: the long measurements behind the tables of notebooks 04-05
  widgets            explorers to play with: widgets.digits (01-02), widgets.imagenet (03-04)
"""

__version__ = "0.2.0"
