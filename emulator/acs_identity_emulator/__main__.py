"""``python -m acs_identity_emulator``."""

from ._cli import main

raise SystemExit(main())
