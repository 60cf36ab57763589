"""Where the tutor is running: a terminal, or a browser tab through Textual's web driver.

Both the command line (which face to start) and the app (which keys to name first) ask this, so it
lives below both; the web lab sets the driver when it starts a tab and imports nothing back.
"""

import os

WEB_DRIVER = "textual.drivers.web_driver:WebDriver"
"""The Textual driver a served tab runs under (`tui-grad serve`, textual-serve)."""


def served() -> bool:
    """True under Textual's web driver (`tui-grad serve`, textual-serve): a browser, whatever TERM says."""
    return os.environ.get("TEXTUAL_DRIVER", "") == WEB_DRIVER
