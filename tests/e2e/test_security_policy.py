"""Issue 11 #12 in a real browser: the policy is enforced, and the product's own scripts still work under it."""
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_browser_refuses_injected_inline_script(regions, personas, browser_login):
    page = browser_login(personas.county)
    ran = page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';
                                   document.body.appendChild(s); return window.injected === 1; }""")
    assert ran is False
    page.wait_for_timeout(200)
    assert page.csp_violations, "Chromium reported no refusal"
    page.csp_violations.clear()


def test_language_switch_works_without_inline_handlers(regions, personas, browser_login):
    page = browser_login(personas.county)
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Dashboard" in page.inner_text("[data-testid=dashboard-title]")
