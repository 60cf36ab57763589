"""The lab: `tui-grad serve` runs one tutor per browser tab, each learner in their own progress folder.

`lab` reads the roster and keeps the secret links (no web library); `server` is the web server
(aiohttp, from the optional `web` extra); `session` is what each browser tab runs.
"""

import os

WEB_DRIVER = "textual.drivers.web_driver:WebDriver"


def served() -> bool:
    """True under Textual's web driver (`tui-grad serve`, textual-serve): a browser, whatever TERM says."""
    return os.environ.get("TEXTUAL_DRIVER", "") == WEB_DRIVER
