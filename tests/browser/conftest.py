"""Playwright on Debian's Chromium against the live test server, with axe-core."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself
# are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}; `make test` installs Debian's chromium.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core with the WCAG 2.0/2.1 A and AA rules on the current page."""
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


# --- Keyboard-only walk-throughs --------------------------------------------------------------

_FOCUSED_JS = """async () => {
  // Bootstrap scrolls smoothly: wait until the focused element has been scrolled to.
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  let last = null;
  let stable = 0;
  for (let i = 0; i < 120 && stable < 5; i++) {
    await frame();
    const now = [window.scrollX, window.scrollY].join();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return null;
  }
  const rect = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const inView = rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0 &&
    rect.top < window.innerHeight && rect.left < window.innerWidth;
  const x = Math.min(Math.max(rect.left + rect.width / 2, 0), window.innerWidth - 1);
  const y = Math.min(Math.max(rect.top + rect.height / 2, 0), window.innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.getAttribute("name") || "",
    value: el.value === undefined ? "" : String(el.value),
    href: el.getAttribute("href") || "",
    text: (el.getAttribute("aria-label") || el.textContent || label || "")
      .replace(/\\s+/g, " ").trim(),
    label: label.replace(/\\s+/g, " ").trim(),
    in_view: inView,
    on_top: !!hit && (hit === el || el.contains(hit) ||
      (!!el.labels && [...el.labels].some(l => l.contains(hit)))),
    visible: style.visibility !== "hidden" && style.display !== "none" &&
      parseFloat(style.opacity) > 0,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== "none",
    focus_visible: el.matches(":focus-visible"),
  };
}"""


def focused(page) -> dict | None:
    """What has the keyboard focus, where it is and whether its focus indicator shows."""
    return page.evaluate(_FOCUSED_JS)


def assert_focus_visible(info) -> None:
    """The focused element is on screen, not covered, and drawn with a focus indicator
    (WCAG 2.4.7)."""
    assert info is not None, "the focus was lost (it is on the page body)"
    where = f"{info['tag']}#{info['id']} “{info['text'][:60]}”"
    assert info["visible"] and info["in_view"], f"focused element is not visible: {where}"
    assert info["on_top"], f"focused element is covered by another element: {where}"
    # The portal's indicator: an outline of at least 2 px (Bootstrap's light shadow alone is
    # not enough against every background).
    assert info["outline"], f"focused element has no visible focus indicator: {where}"


def tab_to(page, matches, *, backwards=False, limit=80) -> list[dict]:
    """Press Tab (Shift+Tab) until ``matches(focused)`` holds; every element passed on the way
    must be visible with a focus indicator. Returns the elements in the order visited."""
    visited = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        info = focused(page)
        try:
            assert_focus_visible(info)
        except AssertionError as error:
            trail = " → ".join(f"{i['tag']}#{i['id']}:{i['text'][:30]}" for i in visited)
            raise AssertionError(f"{error}; after: {trail}") from None
        visited.append(info)
        if matches(info):
            return visited
    raise AssertionError(
        "not reached with the keyboard; visited: "
        + " → ".join(f"{i['tag']}#{i['id']}:{i['text'][:30]}" for i in visited)
    )


def choose_with_arrows(page, option_text, *, limit=30) -> None:
    """Pick the option of the focused list box with the arrow keys (as a keyboard user)."""
    read = "() => document.activeElement.selectedOptions[0]?.textContent.trim()"
    for key in ("ArrowDown", "ArrowUp"):
        for _ in range(limit):
            if page.evaluate(read) == option_text:
                return
            before = page.evaluate(read)
            page.keyboard.press(key)
            if page.evaluate(read) == before:
                break
    assert page.evaluate(read) == option_text, f"option {option_text!r} not reachable"


def to_main_content(page) -> None:
    """Start again at the top of the page and follow the skip link with Enter: the next Tab
    reaches the first control of the page's content."""
    page.locator(".skip-link").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
