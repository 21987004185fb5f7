"""The portal over HTTP: the JSON API and the Chinese pages (shared/spec/interfaces.md, "The clerks' portal").

FastAPI on uvicorn — what Airflow 3's API server already runs on, so no second web stack. This module only wires
requests to :class:`countystats.portal.service.Portal`: who is asking (a Bearer code for the API, a session cookie
and a CSRF token for the pages), the size limit, the answers' codes and headers.
"""

from __future__ import annotations

import hmac
import json
import secrets
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from countystats.portal import pages
from countystats.portal.service import Portal, Refused, parse_explanations
from countystats.portal.store import Holder, Session

HERE = Path(__file__).parent
SESSION_COOKIE = "countystats_session"
SIGNIN_COOKIE = "countystats_signin"  # the sign-in form's CSRF token, before there is a session
FORM_OVERHEAD = 256 * 1024  # multipart headers and the 说明 box, beyond the file itself
UPLOAD_PATHS = ("/api/submissions", "/upload")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: an upload's body is counted as it arrives and refused (413) past the limit, before it is
    spooled anywhere (a Content-Length that says so is refused before a byte is read)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith(UPLOAD_PATHS):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            # answered unread, and the connection closed: a proxy in front must have the same limit (nginx's
            # client_max_body_size, deploy/nginx.conf) or it sees the close as a broken upstream
            return await self._refuse(scope, send)
        seen = 0
        started = False

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        async def sending(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope, send):
        mb = (self.limit - FORM_OVERHEAD) // (1024 * 1024)
        body = json.dumps({"error": f"文件过大（上限 {mb} MB）：一份年度报告通常只有几十 KB。"}, ensure_ascii=False)
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body.encode()})


def create_app(portal: Portal, on_start=None, on_stop=None) -> FastAPI:
    """The web application around ``portal``; ``on_start``/``on_stop`` run in the server's lifespan (the warm-up
    of the checker, the sweep of a dead portal's spool, closing the reader processes)."""

    @asynccontextmanager
    async def lifespan(_app):
        if on_start is not None:
            await run_in_threadpool(on_start)
        yield
        if on_stop is not None:
            await run_in_threadpool(on_stop)

    app = FastAPI(title="countystats 报送门户", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.portal = portal
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused):
        if request.url.path.removeprefix(_root(request)).startswith("/api/"):  # behind a proxy's /portal/
            extra = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
            return JSONResponse({"error": exc.message, **exc.body}, status_code=exc.status, headers=extra)
        session = _session(request)
        return HTMLResponse(pages.error(_root(request), exc.message, session), status_code=exc.status)

    app.add_middleware(BodyLimit, limit=portal.settings.max_file_bytes + FORM_OVERHEAD)  # outermost: first to count
    _api(app, portal)
    _pages(app, portal)
    return app


# ---------------------------------------------------------------- who is asking


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _root(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


def _holder_of_code(portal: Portal, code: str, address: str) -> Holder:
    now = portal.now()
    if portal.store.too_many_failures(address, now):
        raise Refused(429, "错误的访问码次数过多，请 10 分钟后再试。")
    holder = portal.store.holder_of(code, now)
    if holder is None:
        portal.store.failed(address, now)
        portal.store.log(now, "sign_in_failed", None, None, "wrong or revoked code", address)
        raise Refused(401, "访问码不正确或已停用。")
    return holder


async def _bearer(request: Request) -> Holder:
    portal: Portal = request.app.state.portal
    header = request.headers.get("authorization", "")
    scheme, _, code = header.partition(" ")
    if scheme.lower() != "bearer" or not code.strip():
        raise Refused(401, "需要访问码：请求头 Authorization: Bearer <访问码>。")
    return await run_in_threadpool(_holder_of_code, portal, code.strip(), _address(request))


def _session(request: Request) -> Session | None:
    portal: Portal = request.app.state.portal
    return portal.store.session(request.cookies.get(SESSION_COOKIE), portal.now())


def _signed_in(request: Request) -> Session:
    session = _session(request)
    if session is None:
        raise Refused(401, "请先用访问码登录。")
    return session


def _csrf_ok(session_csrf: str, given: object) -> None:
    if not isinstance(given, str) or not hmac.compare_digest(session_csrf, given):
        raise Refused(403, "页面已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")


async def _upload_fields(request: Request) -> tuple[str, bytes, str | None, object]:
    form = await request.form(max_files=1, max_fields=100)
    file = form.get("file")
    if file is None or isinstance(file, str):
        raise Refused(422, "没有收到文件：请在表单字段 file 中上传报告文件。")
    data = await file.read()
    await file.close()
    return file.filename or "", data, form.get("explanations"), form


# ---------------------------------------------------------------- the JSON API


def _api(app: FastAPI, portal: Portal) -> None:
    @app.post("/api/submissions", status_code=201)
    async def send(request: Request):
        holder = await _bearer(request)
        name, data, explained, _ = await _upload_fields(request)
        explanations = parse_explanations(explained if isinstance(explained, str) else None)
        got = await run_in_threadpool(portal.receive, holder, name, data, explanations, _address(request))
        return JSONResponse(got.check, status_code=201)

    @app.get("/api/submissions")
    async def listing(request: Request, unit: str | None = None):
        holder = await _bearer(request)
        return await run_in_threadpool(portal.receipts, holder, unit)

    @app.get("/api/submissions/{receipt_id}")
    async def one(request: Request, receipt_id: int):
        holder = await _bearer(request)
        return await run_in_threadpool(portal.receipt, holder, receipt_id, _address(request))

    @app.get("/api/submissions/{receipt_id}/feedback.xlsx")
    async def feedback(request: Request, receipt_id: int):
        holder = await _bearer(request)
        data, name = await run_in_threadpool(portal.feedback, holder, receipt_id, _address(request))
        return _download(data, name)

    @app.post("/api/submissions/{receipt_id}/explanations")
    async def explain(request: Request, receipt_id: int):
        holder = await _bearer(request)
        try:
            body = await request.json()
        except ValueError:
            raise Refused(422, "请求体应为 {规则编号: 说明} 的 JSON 对象。") from None
        explanations = parse_explanations(json.dumps(body, ensure_ascii=False) if isinstance(body, dict) else "[]")
        return await run_in_threadpool(portal.explain, holder, receipt_id, explanations, _address(request))

    @app.get("/api/completeness")
    async def completeness(request: Request, year: int):
        holder = await _bearer(request)
        return await run_in_threadpool(portal.completeness, holder, year)

    @app.post("/api/reviews")
    async def review(request: Request):
        holder = await _bearer(request)
        try:
            body = await request.json()
            action, ids, reason = body["action"], [int(i) for i in body["ids"]], str(body.get("reason", ""))
        except (ValueError, KeyError, TypeError):
            raise Refused(422, "请求体应为 {\"action\": accept|return|reopen, \"ids\": [编号…], \"reason\": 理由}。") \
                from None
        done = await run_in_threadpool(portal.decide, holder, action, ids, reason, _address(request))
        return {"decisions": [d.__dict__ for d in done.decisions], "documents": [str(p) for p in done.documents]}


def _download(data: bytes, name: str) -> Response:
    # the name is ours (反馈-<id>.xlsx), given both ways so every browser keeps the Chinese
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"feedback.xlsx\"; filename*=UTF-8''{quote(name)}"})


# ---------------------------------------------------------------- the pages


def _pages(app: FastAPI, portal: Portal) -> None:
    def redirect(request: Request, to: str) -> RedirectResponse:
        return RedirectResponse(_root(request) + to, status_code=303)

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request, year: int | None = None, unit: str | None = None):
        session = _session(request)
        root = _root(request)
        if session is None:
            token = secrets.token_urlsafe(32)
            response = HTMLResponse(pages.sign_in(root, token))
            response.set_cookie(SIGNIN_COOKIE, token, httponly=True, samesite="strict", path=root or "/",
                                secure=request.url.scheme == "https")
            return response
        if session.holder.office:
            return HTMLResponse(await run_in_threadpool(pages.office, portal, session, root, year, unit))
        rows = await run_in_threadpool(portal.receipts, session.holder)
        return HTMLResponse(pages.unit_home(root, session, rows, portal.settings.max_file_mb))

    @app.post("/signin")
    async def sign_in(request: Request):
        form = await request.form(max_files=0, max_fields=10)
        _csrf_ok(request.cookies.get(SIGNIN_COOKIE, "") or secrets.token_hex(8), form.get("csrf"))
        holder = await run_in_threadpool(_holder_of_code, portal, str(form.get("code", "")), _address(request))
        token, _ = portal.store.open_session(holder, portal.now())
        portal.store.log(portal.now(), "sign_in", holder, None, None, _address(request))
        response = redirect(request, "/")
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", path=_root(request) or "/",
                            secure=request.url.scheme == "https", max_age=8 * 3600)
        response.delete_cookie(SIGNIN_COOKIE, path=_root(request) or "/")
        return response

    @app.post("/signout")
    async def sign_out(request: Request):
        session = _signed_in(request)
        form = await request.form(max_files=0, max_fields=10)
        _csrf_ok(session.csrf, form.get("csrf"))
        portal.store.close_session(request.cookies.get(SESSION_COOKIE, ""))
        portal.store.log(portal.now(), "sign_out", session.holder, None, None, _address(request))
        response = redirect(request, "/")
        response.delete_cookie(SESSION_COOKIE, path=_root(request) or "/")
        return response

    @app.post("/upload")
    async def upload(request: Request):
        session = _signed_in(request)
        name, data, explained, form = await _upload_fields(request)
        _csrf_ok(session.csrf, form.get("csrf"))
        explanations = parse_explanations(explained if isinstance(explained, str) else None)
        got = await run_in_threadpool(portal.receive, session.holder, name, data, explanations, _address(request))
        return redirect(request, f"/receipts/{got.receipt_id}")

    @app.get("/receipts/{receipt_id}", response_class=HTMLResponse)
    async def receipt(request: Request, receipt_id: int):
        session = _signed_in(request)
        row = await run_in_threadpool(portal.receipt, session.holder, receipt_id, _address(request))
        return HTMLResponse(pages.receipt(_root(request), session, row))

    @app.get("/receipts/{receipt_id}/feedback.xlsx")
    async def receipt_feedback(request: Request, receipt_id: int):
        session = _signed_in(request)
        data, name = await run_in_threadpool(portal.feedback, session.holder, receipt_id, _address(request))
        return _download(data, name)

    @app.post("/receipts/{receipt_id}/explain")
    async def receipt_explain(request: Request, receipt_id: int):
        session = _signed_in(request)
        form = await request.form(max_files=0, max_fields=200)
        _csrf_ok(session.csrf, form.get("csrf"))
        explanations = {k.removeprefix("explain:"): str(v).strip() for k, v in form.items()
                        if k.startswith("explain:") and str(v).strip()}
        await run_in_threadpool(portal.explain, session.holder, receipt_id,
                                parse_explanations(json.dumps(explanations, ensure_ascii=False)), _address(request))
        return redirect(request, f"/receipts/{receipt_id}")

    @app.post("/office/review")
    async def office_review(request: Request):
        session = _signed_in(request)
        form = await request.form(max_files=0, max_fields=1000)
        _csrf_ok(session.csrf, form.get("csrf"))
        try:
            ids = [int(i) for i in form.getlist("id")]
        except ValueError:
            raise Refused(422, "编号应为数字。") from None
        await run_in_threadpool(portal.decide, session.holder, str(form.get("action", "")), ids,
                                str(form.get("reason", "")), _address(request))
        year = form.get("year")
        return redirect(request, f"/?year={int(year)}" if str(year or "").isdigit() else "/")
