import pytest


@pytest.mark.django_db
def test_a_30_mb_upload_is_refused_with_413_before_it_is_read(client_for, world):
    client = client_for("t_a1")
    response = client.generic("POST", "/apply/", data=b"x" * (30 * 1024 * 1024),
                              content_type="application/octet-stream")
    assert response.status_code == 413
    assert "上传的内容过大" in response.content.decode()
