"""`python -m helpers.studies`: the study command's former name, kept working; it runs `python -m helpers.lab`.

The accuracy tables of notebook 04 (data/studies/accuracy_*.csv) were made under this name and record it.
"""

import sys

from .lab.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
