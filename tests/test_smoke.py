def test_sync_roundtrip(login_as, make_contact, make_incident):
    api = login_as("worker")
    contact = make_contact()
    response = api.sync(contacts=[contact], incidents=[make_incident()])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [r["status"] for r in body["results"]] == ["created", "created"], body
    again = api.sync(contacts=[contact]).get_json()
    assert again["results"][0]["status"] == "duplicate"
    assert api.get(f"/api/v1/contacts/{contact['id']}").status_code == 200
