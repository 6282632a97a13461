"""``python -m politecrawl.cli``: the ``politecrawl`` command."""

import sys

from . import main

sys.exit(main())
