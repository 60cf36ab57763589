"""`python -m tui_grad`: the same as the `tui-grad` command."""

from tui_grad.cli import main

raise SystemExit(main())
