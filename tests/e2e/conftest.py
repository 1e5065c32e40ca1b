"""Browser tests: Playwright for Python driving Debian's Chromium (its own browser download is offline here)."""
import os

import pytest

# Playwright's sync API keeps an event loop in this thread; Django's ORM calls in fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(30000)
    page.confirmations = []

    def _accept(dialog):  # irreversible actions ask first (data-confirm); the tests say yes and keep the question
        page.confirmations.append(dialog.message)
        dialog.accept()

    page.on("dialog", _accept)
    yield page
    context.close()


@pytest.fixture
def browser_login(page, live_server, password):
    def _login(user):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=dashboard-title]")
        return page

    return _login
