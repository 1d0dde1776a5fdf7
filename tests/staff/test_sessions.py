"""What a session keeps of the browser: its name and system, nothing more of the header."""

from __future__ import annotations

from townsquare.staff.sessions import browser_summary


def test_browser_summary() -> None:
    assert (
        browser_summary("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0") == "Firefox · Linux"
    )
    edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0"
    assert browser_summary(edge) == "Edge · Windows"
    assert (
        browser_summary("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) AppleWebKit/605.1.15 Safari/604.1") == "Safari · iOS"
    )
    assert browser_summary("curl/8.5.0") == "curl"
    assert browser_summary("") == ""
