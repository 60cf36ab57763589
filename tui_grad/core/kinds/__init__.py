"""The kinds of part a lesson may have, each one module, found by name through `registry`."""
