"""`python -m tui_grad`: the same as the `tui-grad` command."""

from tui_grad.cli import main

if __name__ == "__main__":  # a training process re-imports this module under another name
    raise SystemExit(main())
