"""Read what the app shows, as plain text, the way a learner would see it."""

from __future__ import annotations

from textual.app import App


def screen_text(app: App) -> str:
    """Every line of the current screen, as the terminal would show it (no styles)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


def relative_luminance(red: int, green: int, blue: int) -> float:
    """WCAG's relative luminance of an sRGB colour."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG's contrast ratio of two colours: 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(*first), relative_luminance(*second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def faint_text(app: App, minimum: float) -> list[str]:
    """Every run of letters or digits on the current screen drawn in a colour too close to the colour
    behind it (contrast below `minimum`), as 'row N: text (fg on bg, ratio)'.

    The colours are those of the cells the terminal is sent, after Textual's filters (NO_COLOR's
    among them). The terminal's default colours on each other read as the terminal reads; a
    default colour against a set one is taken as the app's terminal theme paints it."""
    terminal = app.ansi_theme
    faint: list[str] = []
    for row, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            style = segment.style
            if style is None or not any(character.isalnum() for character in segment.text):
                continue
            fore, back = style.color, style.bgcolor
            if style.reverse:
                fore, back = back, fore
            if (fore is None or fore.is_default) and (back is None or back.is_default):
                continue
            fore_rgb = (terminal.foreground_color if fore is None or fore.is_default
                        else fore.get_truecolor(terminal))
            back_rgb = (terminal.background_color if back is None or back.is_default
                        else back.get_truecolor(terminal))
            ratio = contrast(tuple(fore_rgb), tuple(back_rgb))
            if ratio < minimum:
                faint.append(f"row {row}: {segment.text.strip()!r} ({fore_rgb.hex} on {back_rgb.hex}, {ratio:.2f})")
    return faint
