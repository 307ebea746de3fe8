"""python -m warehouse_check: the offline proof (warehouse_check/proof.py)."""

from warehouse_check.proof import main

raise SystemExit(main())
