"""``python -m azure.communication.administration``: the ``acs-identity`` command line."""

from ._cli import main

raise SystemExit(main())
