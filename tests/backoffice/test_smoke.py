def test_dashboard_in_chinese_for_county_clerk(personas, login):
    response = login(personas.county).get("/")
    assert response.status_code == 200
    assert "南昌县" in response.content.decode()
