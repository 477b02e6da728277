"""`python -m byot`: the `byot` command (see `byot._cli`)."""

from byot._cli import main

raise SystemExit(main())
