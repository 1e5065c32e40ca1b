def test_dashboard_in_chinese_for_county_clerk(personas, login):
    response = login(personas.county).get("/")
    assert response.status_code == 200
    assert "南昌县" in response.content.decode()


def test_error_pages_are_in_chinese(personas, login):
    client = login(personas.expert)
    denied = client.get("/registry/teachers/")
    assert denied.status_code == 403
    assert "无权访问" in denied.content.decode() and "Forbidden" not in denied.content.decode()
    missing = client.get("/projects/999999/")
    assert missing.status_code == 404
    assert "页面不存在" in missing.content.decode() and "Not Found" not in missing.content.decode()


def test_server_error_page_is_in_chinese(rf):
    from django.utils import translation

    from backoffice.views import server_error

    with translation.override("zh-hans"):
        response = server_error(rf.get("/"))
    assert response.status_code == 500 and "服务器错误" in response.content.decode()


def test_language_switch_names_each_language_in_itself(personas, login):
    page = login(personas.county).get("/").content.decode()
    switch = page.split('name="language"')[1].split("</select>")[0]
    assert ">English<" in switch and ">简体中文<" in switch and "英语" not in switch


def test_nul_character_in_input_is_a_400_in_chinese_not_a_500(personas, login, client):
    from projects.models import Project, ProjectStatus
    from tests.factories import ProjectFactory

    project = ProjectFactory(plan__created_by=personas.province)
    response = login(personas.province).post(f"/projects/{project.pk}/transition/",
                                             {"transition": "cancel", "reason": "经费\x00调整"})
    assert response.status_code == 400 and "空字符" in response.content.decode()
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.DRAFT
    public = client.get("/enrolment/verify/", {"number": "GP\x00", "code": "X"})
    assert public.status_code == 400 and "空字符" in public.content.decode()
