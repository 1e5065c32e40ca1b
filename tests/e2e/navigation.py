"""The main menu groups its items in drop-downs (<details>): open the item's group, then follow the item."""


def nav_click(page, text: str):
    group = page.locator("nav.mainnav details.navgroup").filter(has=page.locator("a", has_text=text))
    if group.count() and group.first.get_attribute("open") is None:
        group.first.locator("summary").click()
    page.locator("nav.mainnav a", has_text=text).first.click()
