"""tricknets helpers: the plumbing the notebooks share, so the notebooks can stay about ideas.

Modules (import the one you need; nothing heavy is imported here):
    settings  environment variables: device, cache, mirror, progress bars
    errors    the exceptions helpers raise on purpose, each with a message saying what to do
    models    pretrained ImageNet classifiers that take [0, 1] pixels and know their class names
    images    photos by name or path as 1x3x224x224 tensors; sha256-checked downloads
    fetch     `python -m helpers.fetch`: download everything the notebooks need, once
    attacks   input gradients, signed steps and iterative attacks inside an L-infinity ball
    plots     side-by-side images, top-k bars and probability-over-steps curves
    digits    scikit-learn's 8x8 digits in [0, 1], seeded splits (notebooks 01-02)
    training  seeded small networks and a training loop for the digits
    fgsm      the fast gradient sign method on a batch, for the small models
    exercises answer checkers for the exercises: "correct" or a hint
    imagenet_groups  superclasses of the 1000 ImageNet classes (dogs, cats, bears, ...)
    widgets   the attack explorer of notebook 04
    lesson_widgets  the explorers of notebooks 01-03 (sigmoid, learning rate, epsilon, step size)
"""

__version__ = "0.1.0"
