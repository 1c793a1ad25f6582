"""The officials' identity provider, simulated for the local cloud: OpenID Connect shaped like Cognito.

Mounted under /sim/idp; the console (portal/js/console/oidc.js) talks to it exactly as it talks to the
Cognito user pool's domain on AWS, only the base URL differs (`/config.json`, infra/signin.py):

- `/.well-known/openid-configuration`, and `/.well-known/jwks.json` (the dev key's public half);
- `GET /oauth2/authorize`: the authorization code flow with PKCE (S256 only). The page lists the seeded
  officials (infra/seed/officials.json: real agencies of the seed structure) with their roles; choosing one
  is signing in (no password). A remembered sign-in (a cookie, as Cognito's session) skips the page
  unless `prompt=login`. An unknown client or an unregistered redirect URI gets an error page, never a
  redirect; other errors go back to the client with `error` and the client's `state`;
- `POST /oauth2/token`: the authorization_code grant for a public client (no secret). A code is good once,
  for five minutes, for the client, redirect URI and code challenge it was issued with; errors are OAuth's
  JSON (`{"error", "error_description"}`, status 400);
- `GET /logout?client_id=&logout_uri=`: forgets the sign-in and goes to a registered sign-out URI.

The ID token is Cognito's (`custom:agency`, `cognito:groups`, `token_use: id`, `nonce`), RS256 with the dev
key (infra/tokens.py), with the issuer and audience the local stack's functions verify
(OFFICIALS_ISSUER, OFFICIALS_AUDIENCE: the audience is the client id, as Cognito's is the app client's).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from infra.tokens import cognito_id_token_claims, dev_jwks, sign

PREFIX = "/sim/idp"
SEED = Path(__file__).resolve().parent.parent / "seed"
SESSION_COOKIE = "idp_session"
# RFC 7636: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~]
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}")  # BASE64URL(SHA256(verifier)), unpadded
ROLE_LABELS = {
    "receiver": "Tiếp nhận hồ sơ",
    "handler": "Xử lý hồ sơ",
    "leader": "Lãnh đạo",
    "catalog_admin": "Quản trị danh mục thủ tục",
}


@dataclass(frozen=True)
class Official:
    """A user of the pool: username, attributes (`name`, `email`, `custom:agency`) and groups."""

    username: str
    name: str
    email: str
    agency: str
    agency_name: str
    groups: tuple[str, ...]

    @property
    def sub(self) -> str:
        # stable across restarts, as a Cognito user's sub is for the user's life
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"idp.dichvucong.local/{self.username}"))


@dataclass(frozen=True)
class Client:
    client_id: str
    redirect_uris: tuple[str, ...]
    logout_uris: tuple[str, ...]
    scopes: frozenset[str] = frozenset({"openid", "email", "profile"})
    name: str = "Một cửa điện tử"


@dataclass
class IdpConfig:
    issuer: str
    base_url: str  # where the endpoints are, e.g. http://127.0.0.1:8000/sim/idp
    clients: tuple[Client, ...]
    officials: tuple[Official, ...]
    id_token_ttl: int = 8 * 3600  # the app client's IdTokenValidity in serverless.yml
    access_token_ttl: int = 3600
    code_ttl: int = 300  # Cognito's authorization codes live five minutes
    request_ttl: int = 900  # how long the sign-in page may stay open
    clock: Callable[[], float] = time.time


@dataclass
class AuthorizationRequest:
    client: Client
    redirect_uri: str
    state: str | None
    code_challenge: str
    scope: str
    nonce: str | None
    created: float


@dataclass
class Grant:
    """An issued authorization code and everything it is bound to."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    official: Official
    scope: str
    nonce: str | None
    auth_time: int
    issued: float
    redeemed: bool = False


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def as_json(self) -> JSONResponse:
        return JSONResponse(
            {"error": self.error, "error_description": self.description},
            status_code=self.status,
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )


class PageError(Exception):
    """A request the provider must not send back to its redirect URI (unknown client or URI)."""


def load_officials(
    path: Path = SEED / "officials.json", structure: Path = SEED / "structure.json"
) -> tuple[Official, ...]:
    names = {a["code"]: a["name"] for a in json.loads(structure.read_text(encoding="utf-8"))["agencies"]}
    seeded = json.loads(path.read_text(encoding="utf-8"))["officials"]
    return tuple(
        Official(
            username=o["username"],
            name=o["name"],
            email=o["email"],
            agency=o["agency"],
            agency_name=names[o["agency"]],  # a seeded official at an unknown agency is a broken seed
            groups=tuple(o["groups"]),
        )
        for o in seeded
    )


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class Provider:
    """The provider's rules, without HTTP: authorization requests, codes, tokens, sessions."""

    def __init__(self, config: IdpConfig):
        self.config = config
        self.clients = {c.client_id: c for c in config.clients}
        self.officials = {o.username: o for o in config.officials}
        self._lock = threading.Lock()
        self._requests: dict[str, AuthorizationRequest] = {}
        self._codes: dict[str, Grant] = {}
        self._sessions: dict[str, tuple[str, int]] = {}  # cookie -> (username, auth_time)

    # -- the authorization endpoint -------------------------------------------------------------------

    def authorization_request(self, query: dict[str, str]) -> AuthorizationRequest:
        """Check an authorization request. PageError: tell the user; OAuthError: tell the client."""
        client = self.clients.get(query.get("client_id", ""))
        if client is None:
            raise PageError("Ứng dụng yêu cầu đăng nhập không được đăng ký (client_id không đúng).")
        redirect_uri = query.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            raise PageError("Địa chỉ quay lại (redirect_uri) không được đăng ký cho ứng dụng này.")
        if query.get("response_type") != "code":
            raise OAuthError(
                "unsupported_response_type", "only the authorization code flow (code) is offered"
            )
        scopes = set(query.get("scope", "").split())
        if "openid" not in scopes or not scopes <= client.scopes:
            raise OAuthError(
                "invalid_scope", f"scope must include openid, within {' '.join(sorted(client.scopes))}"
            )
        challenge = query.get("code_challenge", "")
        if query.get("code_challenge_method") != "S256" or not CHALLENGE.fullmatch(challenge):
            raise OAuthError(
                "invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256"
            )
        return AuthorizationRequest(
            client=client,
            redirect_uri=redirect_uri,
            state=query.get("state"),
            code_challenge=challenge,
            scope=" ".join(sorted(scopes)),
            nonce=query.get("nonce") or None,
            created=self.config.clock(),
        )

    def hold(self, request: AuthorizationRequest) -> str:
        """Keep a request while the sign-in page is open; the page posts back only this id."""
        key = secrets.token_urlsafe(24)
        with self._lock:
            now = self.config.clock()
            for stale in [k for k, r in self._requests.items() if now - r.created > self.config.request_ttl]:
                del self._requests[stale]
            self._requests[key] = request
        return key

    def held(self, key: str) -> AuthorizationRequest | None:
        with self._lock:
            request = self._requests.get(key)
            if request is None or self.config.clock() - request.created > self.config.request_ttl:
                return None
            return request

    def release(self, key: str) -> None:
        with self._lock:
            self._requests.pop(key, None)

    def issue_code(self, request: AuthorizationRequest, official: Official, auth_time: int) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            now = self.config.clock()
            for stale in [c for c, g in self._codes.items() if now - g.issued > 4 * self.config.code_ttl]:
                del self._codes[stale]
            self._codes[code] = Grant(
                client_id=request.client.client_id,
                redirect_uri=request.redirect_uri,
                code_challenge=request.code_challenge,
                official=official,
                scope=request.scope,
                nonce=request.nonce,
                auth_time=auth_time,
                issued=now,
            )
        return code

    # -- sessions (the "remember me" of the hosted sign-in) ---------------------------------------------

    def open_session(self, official: Official) -> tuple[str, int]:
        cookie, auth_time = secrets.token_urlsafe(32), int(self.config.clock())
        with self._lock:
            self._sessions[cookie] = (official.username, auth_time)
        return cookie, auth_time

    def session(self, cookie: str | None) -> tuple[Official, int] | None:
        with self._lock:
            found = self._sessions.get(cookie or "")
        if found is None or found[0] not in self.officials:
            return None
        return self.officials[found[0]], found[1]

    def close_session(self, cookie: str | None) -> None:
        with self._lock:
            self._sessions.pop(cookie or "", None)

    # -- the token endpoint ---------------------------------------------------------------------------

    def redeem(self, form: dict[str, str]) -> dict[str, Any]:
        """The authorization_code grant: tokens, or OAuthError."""
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type is missing")
        if grant_type != "authorization_code":
            raise OAuthError("unsupported_grant_type", f"grant_type {grant_type} is not offered")
        for name in ("client_id", "code", "redirect_uri", "code_verifier"):
            if not form.get(name):
                raise OAuthError("invalid_request", f"{name} is missing")
        client = self.clients.get(form["client_id"])
        if client is None:
            raise OAuthError("invalid_client", "unknown client")
        with self._lock:
            grant = self._codes.get(form["code"])
            if grant is None:
                raise OAuthError("invalid_grant", "unknown authorization code")
            if grant.redeemed:
                raise OAuthError("invalid_grant", "the authorization code has been used")
            # one attempt per code: a code presented with a wrong verifier may have been intercepted
            grant.redeemed = True
        if self.config.clock() - grant.issued > self.config.code_ttl:
            raise OAuthError("invalid_grant", "the authorization code has expired")
        if grant.client_id != client.client_id:
            raise OAuthError("invalid_grant", "the authorization code was issued to another client")
        if grant.redirect_uri != form["redirect_uri"]:
            raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request's")
        verifier = form["code_verifier"]
        if not VERIFIER.fullmatch(verifier) or not hmac.compare_digest(s256(verifier), grant.code_challenge):
            raise OAuthError("invalid_grant", "code_verifier does not match the code challenge")
        return self.tokens(grant)

    def tokens(self, grant: Grant) -> dict[str, Any]:
        official, now = grant.official, self.config.clock()
        id_claims = cognito_id_token_claims(
            sub=official.sub,
            username=official.username,
            agency=official.agency,
            groups=list(official.groups),
            issuer=self.config.issuer,
            audience=grant.client_id,
            name=official.name,
            email=official.email,  # Cognito puts every attribute the client may read in the ID token
            nonce=grant.nonce,
            auth_time=grant.auth_time,
            ttl_seconds=self.config.id_token_ttl,
            now=now,
        )
        # Cognito's access token: no audience, the client in `client_id`; the console does not use it
        access_claims = {
            "sub": official.sub,
            "iss": self.config.issuer,
            "client_id": grant.client_id,
            "token_use": "access",
            "scope": grant.scope,
            "username": official.username,
            "cognito:groups": list(official.groups),
            "auth_time": grant.auth_time,
            "iat": int(now),
            "exp": int(now) + self.config.access_token_ttl,
            "jti": str(uuid.uuid4()),
        }
        return {
            "id_token": sign(id_claims),
            "access_token": sign(access_claims),
            "token_type": "Bearer",
            "expires_in": self.config.access_token_ttl,
        }

    # -- discovery ------------------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        base = self.config.base_url
        return {
            "issuer": self.config.issuer,
            "authorization_endpoint": f"{base}/oauth2/authorize",
            "token_endpoint": f"{base}/oauth2/token",
            "end_session_endpoint": f"{base}/logout",
            "jwks_uri": f"{base}/.well-known/jwks.json",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["none"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "name",
                "email",
                "email_verified",
                "cognito:username",
                "cognito:groups",
                "custom:agency",
                "token_use",
            ],
        }


# ------------------------------------------------------------------------------------------- pages

_STYLE = """
:root { --brand: #0b4f8a; --ink: #1b1b1b; --muted: #4a4a4a; }
body { margin: 0; font: 16px/1.5 system-ui, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       background: #eef3f8; }
main { max-width: 40rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border-radius: .5rem;
       box-shadow: 0 1px 4px rgba(0,0,0,.15); }
h1 { font-size: 1.4rem; color: var(--brand); margin-top: 0; }
.note { color: var(--muted); font-size: .95rem; }
fieldset { border: 1px solid #8a8a8a; border-radius: .4rem; margin: 1rem 0; padding: .5rem 1rem; }
legend { font-weight: 600; padding: 0 .25rem; }
.choice { display: flex; align-items: flex-start; gap: .6rem; padding: .5rem 0; border-top: 1px solid #ddd; }
.choice:first-of-type { border-top: 0; }
.choice input { margin-top: .35rem; width: 1.2rem; height: 1.2rem; }
.choice label { display: flex; flex-direction: column; }
.who { font-weight: 600; }
.detail { color: var(--muted); font-size: .95rem; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; }
button { font: inherit; padding: .6rem 1.2rem; border-radius: .4rem; border: 2px solid var(--brand);
         background: var(--brand); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--brand); }
a:focus-visible, button:focus-visible, input:focus-visible {
  outline: 3px solid #b35c00; outline-offset: 2px; }
.error { border-left: 4px solid #a4262c; padding: .5rem 1rem; background: #fdecea; }
"""

_HEADERS = {
    # no script at all; the stylesheet is the simulator's own; the form posts here and is then redirected
    # to the client's registered URI (form-action governs that redirect too)
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self' {targets}; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{PREFIX}/static/idp.css">\n</head>\n'
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def sign_in_page(
    request_id: str, request: AuthorizationRequest, officials: tuple[Official, ...], error: str = ""
) -> str:
    choices = "\n".join(
        # the label holds the name, the agency and the roles: one announcement says who one signs in as
        f'<div class="choice"><input type="radio" id="official-{n}" name="username" '
        f'value="{html.escape(o.username)}">'
        f'<label for="official-{n}"><span class="who">{html.escape(o.name)}</span>'
        f'<span class="detail">{html.escape(o.agency_name)} · '
        f"{html.escape(', '.join(ROLE_LABELS.get(g, g) for g in o.groups))}</span></label></div>"
        for n, o in enumerate(officials, 1)
    )
    alert = (
        f'<div class="error" role="alert" id="sign-in-error"><p>{html.escape(error)}</p></div>'
        if error
        else ""
    )
    described = ' aria-describedby="sign-in-error"' if error else ""
    body = f"""<h1>Đăng nhập hệ thống định danh cán bộ</h1>
<p class="note" id="sim-note">Hệ thống định danh mô phỏng, chỉ chạy trên máy phát triển. Trên AWS, cán bộ đăng
nhập tại trang của Amazon Cognito bằng tên đăng nhập và mật khẩu; ở đây chỉ cần chọn một tài khoản.</p>
<p>Ứng dụng <strong>{html.escape(request.client.name)}</strong> yêu cầu bạn đăng nhập.</p>
{alert}
<form method="post" action="{PREFIX}/login" aria-describedby="sim-note">
<input type="hidden" name="request" value="{html.escape(request_id)}">
<fieldset{described}>
<legend>Chọn tài khoản cán bộ</legend>
{choices}
</fieldset>
<div class="actions">
<button type="submit" name="action" value="sign-in">Đăng nhập</button>
<button type="submit" name="action" value="cancel" class="secondary">Hủy</button>
</div>
</form>"""
    return _page("Đăng nhập – Hệ thống định danh cán bộ (mô phỏng)", body)


def error_page(message: str) -> str:
    body = f"""<h1>Không thể đăng nhập</h1>
<div class="error" role="alert"><p>{html.escape(message)}</p></div>
<p>Vui lòng quay lại trang của ứng dụng và thử lại.</p>"""
    return _page("Không thể đăng nhập – Hệ thống định danh cán bộ (mô phỏng)", body)


# --------------------------------------------------------------------------------------------- app


def _with_query(uri: str, params: dict[str, str | None]) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


def create_app(config: IdpConfig) -> FastAPI:
    provider = Provider(config)
    app = FastAPI(
        title="Hệ thống định danh cán bộ (mô phỏng)", openapi_url=f"{PREFIX}/openapi.json", docs_url=None
    )
    app.state.provider = provider
    targets = " ".join(sorted({_origin(u) for c in config.clients for u in c.redirect_uris + c.logout_uris}))
    headers = {k: v.format(targets=targets) for k, v in _HEADERS.items()}

    def page(content: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(content, status_code=status, headers=headers)

    def back(request: AuthorizationRequest, **params: str | None) -> RedirectResponse:
        return RedirectResponse(
            _with_query(request.redirect_uri, {**params, "state": request.state}), status_code=302
        )

    @app.get(f"{PREFIX}/.well-known/openid-configuration")
    def discovery() -> dict[str, Any]:
        return provider.discovery()

    @app.get(f"{PREFIX}/.well-known/jwks.json")
    def jwks() -> Response:
        return Response(dev_jwks(), media_type="application/json")

    @app.get(f"{PREFIX}/static/idp.css")
    def stylesheet() -> Response:
        return Response(
            _STYLE, media_type="text/css; charset=utf-8", headers={"X-Content-Type-Options": "nosniff"}
        )

    @app.get(f"{PREFIX}/oauth2/authorize")
    def authorize(request: Request) -> Response:
        query = dict(request.query_params)
        try:
            asked = provider.authorization_request(query)
        except PageError as error:
            return page(error_page(str(error)), 400)
        except OAuthError as error:  # raised only once client and redirect URI are known to be registered
            uri = _with_query(
                query["redirect_uri"],
                {"error": error.error, "error_description": error.description, "state": query.get("state")},
            )
            return RedirectResponse(uri, status_code=302)
        remembered = provider.session(request.cookies.get(SESSION_COOKIE))
        if remembered is not None and query.get("prompt") != "login":
            official, auth_time = remembered
            return back(asked, code=provider.issue_code(asked, official, auth_time))
        return page(sign_in_page(provider.hold(asked), asked, config.officials))

    @app.post(f"{PREFIX}/login")
    async def login(request: Request) -> Response:
        form = _form(await request.body())
        asked = provider.held(form.get("request", ""))
        if asked is None:
            return page(error_page("Yêu cầu đăng nhập đã hết hạn hoặc không tồn tại."), 400)
        if form.get("action") == "cancel":
            provider.release(form["request"])
            return back(asked, error="access_denied", error_description="the official cancelled the sign-in")
        official = provider.officials.get(form.get("username", ""))
        if official is None:
            return page(
                sign_in_page(form["request"], asked, config.officials, "Vui lòng chọn một tài khoản."), 400
            )
        provider.release(form["request"])
        cookie, auth_time = provider.open_session(official)
        answer = back(asked, code=provider.issue_code(asked, official, auth_time))
        answer.set_cookie(SESSION_COOKIE, cookie, path=PREFIX, httponly=True, samesite="lax")
        return answer

    @app.post(f"{PREFIX}/oauth2/token")
    async def token(request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return OAuthError(
                "invalid_request", "the body must be application/x-www-form-urlencoded"
            ).as_json()
        form = _form(await request.body())
        try:
            tokens = provider.redeem(form)
        except OAuthError as error:
            return error.as_json()
        return JSONResponse(tokens, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @app.get(f"{PREFIX}/logout")
    def logout(request: Request) -> Response:
        client = provider.clients.get(request.query_params.get("client_id", ""))
        target = request.query_params.get("logout_uri", "")
        if client is None or target not in client.logout_uris:
            return page(
                error_page("Địa chỉ sau khi đăng xuất (logout_uri) không được đăng ký cho ứng dụng này."), 400
            )
        provider.close_session(request.cookies.get(SESSION_COOKIE))
        answer = RedirectResponse(target, status_code=302)
        answer.delete_cookie(SESSION_COOKIE, path=PREFIX, httponly=True, samesite="lax")
        return answer

    return app


def _form(body: bytes) -> dict[str, str]:
    # application/x-www-form-urlencoded, read without python-multipart (which the local cloud does not need)
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _origin(url: str) -> str:
    from infra.signin import origin

    return origin(url)
