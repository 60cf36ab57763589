"""tui-grad: a terminal tutor that teaches backpropagation, one gradient at a time."""

__version__ = "0.1.0"
