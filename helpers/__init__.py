"""tricknets helpers: the plumbing the notebooks share, so the notebooks can stay about ideas.

Each idea is written out in the notebook that teaches it (shown in brackets) and checked there
against the helper; later notebooks call the helper. Import the module you need; nothing heavy is
imported here.

    settings         environment variables: device, precision, cache, mirror, progress bars
    errors           the exceptions helpers raise on purpose, one per meaning, each saying what to do
    pixels           the pixel check, the budget check, one signed step, the projection      (01-03)
    digits           scikit-learn's 8x8 digits in [0, 1], seeded splits                         (01)
    training         seeded small networks and a training loop for the digits                   (02)
    attacks          input gradients (EOT-averaged too), FGSM, iterative attacks, PGD with restarts (02-03, 06)
    models           pretrained ImageNet classifiers that take [0, 1] pixels and know their classes (03)
    speed            exact, faster float64 versions of EfficientNet-Lite's layers               (03)
    photos           where each photo comes from; downloads a room survives (standard library only)
    images           photos by name or path as tensors (the series' and the ImageNet set)        (03)
    plots            images, differences, gradients, top-k bars, probability curves             (03)
    imagenet_groups  superclasses of the 1000 ImageNet classes (dogs, cats, bears, ...)         (05)
    difficulty       the smallest budget on a grid at which an attack succeeds                  (04-05)
    studies          `python -m helpers.studies`: the long measurements behind notebooks 04-05
    fetch            `python -m helpers.fetch`: download everything the notebooks need, once
    defences         bit-depth reduction and BPDA's straight-through gradient                  (06)
    square           the Square attack: a gradient-free random search in the L-infinity box      (06)
    smoothing        randomized smoothing, its certified L2 radius and PREDICT                   (06)
    exercises        answer checkers for the exercises: "correct" or a hint                     (01-06)
    widgets          explorers to play with: widgets.linear (01-02), widgets.attacks (03-04)
"""

__version__ = "0.2.0"
