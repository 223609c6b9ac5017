"""``python -m esgdata`` is the ``esgdata`` command."""

from .cli import main

main()
