"""Issue 14 #6 and #4: menus grouped per role; no menu link answers "access denied" for the user who sees it."""
import pytest
from django.urls import reverse
from django.utils import translation

from backoffice.navigation import nav_for, nav_groups_for


def test_province_menu_is_grouped_not_flat(personas, login):
    groups = nav_groups_for(personas.province)
    top_level = len(groups)
    assert len(nav_for(personas.province)) >= 12 and top_level <= 8
    with translation.override("en"):
        labels = {str(g.label) for g in groups if g.label}
    assert {"Plans", "Trainees", "Evaluation", "Registry"} <= labels
    page = login(personas.province).get("/").content.decode()
    assert page.count('data-testid="navgroup"') == len([g for g in groups if g.label]) >= 4


@pytest.mark.parametrize("who", ["province", "office", "county", "school", "institution", "expert", "finance",
                                 "auditor", "ministry", "city", "admin"])
def test_every_menu_link_opens_for_the_user_who_sees_it(personas, login, who):
    if who == "admin":
        from tests.factories import UserFactory

        user = UserFactory(username="root", is_superuser=True, is_staff=True, role="", organisation=None)
    else:
        user = personas[who]
    client = login(user)
    for item in nav_for(user):
        status = client.get(reverse(item.url_name)).status_code
        assert status == 200, (who, item.url_name, status)


def test_single_item_group_is_shown_as_the_item(personas):
    for group in nav_groups_for(personas.school):
        assert group.label == "" or len(group.items) > 1


def test_menu_offers_a_page_exactly_to_those_it_opens_for(personas, login):
    """Issue 10: the menu asks the page's own permission, so a page missing from a role's menu refuses that role
    (the plan and project lists and the review queue opened, empty, for experts and schools)."""
    from backoffice.navigation import NAV

    mismatched = []
    for who, user in personas.items():
        client = login(user)
        shown = {item.url_name for item in nav_for(user)}
        for item in NAV:
            opens = client.get(reverse(item.url_name)).status_code == 200
            if opens != (item.url_name in shown):
                mismatched.append((who, item.url_name, opens))
    assert mismatched == []
