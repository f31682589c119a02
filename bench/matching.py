"""Matching bench: the same cases and JSON lines as ``python -m accueil.matching bench``.

    python bench/matching.py [--sizes 5000x2000,...] [--capacities 1,1-3] [--repeat N] [--quick]

See bench/README.md for what each line means and the targets.
"""

import sys
from pathlib import Path

# Run from a checkout without installing: the repository root holds the accueil package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accueil.matching.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
