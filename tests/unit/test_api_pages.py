"""What a browser may do with the APIs' answers: JSON loads and frames nothing; the Swagger UI page
exists only on the local stage, from the installed package, under a policy naming what it loads."""

import base64
import hashlib
import re

import pytest

from services.core.http import SWAGGER_UI_DIR, create_app, lambda_handler
from tests.apigw import Answer, call


class _Api:
    """An app built the way every HTTP function is, called as API Gateway calls it."""

    def __init__(self, docs: bool):
        app = create_app(
            prefix="/api/x", title="X", description="x", portal_origin="https://p.example", docs=docs
        )
        self.handler = lambda_handler(app)

    def get(self, path: str) -> Answer:
        return call(self.handler, "GET", path)


def test_a_deployed_stage_has_no_docs_page():
    client = _Api(docs=False)
    assert client.get("/api/x/docs").status == 404
    assert client.get("/api/x/openapi.json").status == 200


@pytest.mark.parametrize("path", ["/api/x/openapi.json", "/api/x/nothing-here"])
def test_json_answers_load_nothing_and_are_framed_by_nobody(path):
    answer = _Api(docs=False).get(path)
    policy = answer.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'") and "frame-ancestors 'none'" in policy


@pytest.mark.skipif(not SWAGGER_UI_DIR.is_dir(), reason="npm ci installs swagger-ui-dist")
def test_the_local_docs_page_loads_swagger_ui_from_the_package_under_a_strict_policy():
    client = _Api(docs=True)
    page = client.get("/api/x/docs")
    assert page.status == 200
    assert "cdn.jsdelivr.net" not in page.text and "/api/x/docs/assets/swagger-ui-bundle.js" in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    # the start-up script runs by its hash, and only it: no 'unsafe-inline' for scripts
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert f"'sha256-{digest}'" in script_src and "unsafe-inline" not in script_src
    assert "https:" not in script_src and "cdn" not in policy
    assert client.get("/api/x/docs/assets/swagger-ui-bundle.js").status == 200
