"""Every error is JSON a keeper can read: {"detail": "<sentence>", "field": "<field or null>"}.

GentlingError (the services' typed errors) maps to 400 / 403 / 404 / 409;
ninja's own request validation to 422, naming the first field at fault.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.http.request import RawPostDataException
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .. import failures
from ..domain.errors import GentlingError, InvalidInput, NotAllowed, NotFound
from ..services.arrivals import HousingRefused


class ErrorOut(Schema):
    detail: str
    field: str | None = None


class Reason(Schema):
    code: str
    message: str


class RefusedOut(ErrorOut):
    reasons: list[Reason]


class Problem(Schema):
    field: str | None
    message: str


class InvalidOut(ErrorOut):
    problems: list[Problem]


def errors(*codes: int) -> dict:
    """The error responses an operation documents; 401 and 422 always apply."""
    schemas = {
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: RefusedOut,
        413: ErrorOut,
        422: InvalidOut,
    }
    return {code: schemas[code] for code in sorted({401, 422, *codes})}


NOT_AUTHENTICATED = (
    "Log in, or send a personal API token as 'Authorization: Bearer <token>'. "
    "Make a token on your account's API tokens page."
)


def _out(api: NinjaAPI, request, status: int, detail: str, field: str | None = None, **extra):
    return api.create_response(request, {"detail": detail, "field": field, **extra}, status=status)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(GentlingError)
    def gentling_error(request, exc: GentlingError):
        if isinstance(exc, HousingRefused):
            reasons = [{"code": p.code, "message": p.message} for p in exc.problems]
            return _out(api, request, 409, exc.message, exc.field, reasons=reasons)
        status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, NotAllowed) else 400
        return _out(api, request, status, exc.message, exc.field if isinstance(exc, InvalidInput) else None)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        problems = [_problem(e) for e in exc.errors]
        first = problems[0] if problems else {"field": None, "message": "The request is not valid."}
        return _out(api, request, 422, first["message"], first["field"], problems=problems)

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request, exc: AuthenticationError):
        response = _out(api, request, 401, exc.message if exc.message != "Unauthorized" else NOT_AUTHENTICATED)
        response["WWW-Authenticate"] = 'Bearer realm="gentling"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        cause = exc.__cause__
        if isinstance(cause, InvalidInput):
            return _out(api, request, exc.status_code, cause.message, cause.field)
        if exc.message.startswith("Cannot parse request body"):
            return _out(api, request, 400, "The request body is not valid JSON.", "body")
        if exc.message == "CSRF check Failed":
            return _out(
                api,
                request,
                403,
                "The CSRF check failed: a browser session must send its CSRF token "
                "(X-CSRFToken header); scripts should use an API token instead.",
            )
        return _out(api, request, exc.status_code, exc.message)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return _out(api, request, 404, "Not found.")

    @api.exception_handler(RawPostDataException)
    def unreadable(request, exc):
        return _out(api, request, 400, "The request body could not be read: send JSON.", "body")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return _out(api, request, 413, "The request is too large.")

    @api.exception_handler(Exception)
    def unexpected(request, exc: Exception):
        """Never HTML: a database that cannot answer is a 503 a client may retry; anything else a
        500 with the request id the log line carries."""
        if failures.is_unavailable(exc):
            return failures.unavailable_answer(request, exc)
        failures.logger.error("unexpected error: %s %s", request.method, request.path, exc_info=exc)
        return _out(
            api,
            request,
            500,
            "Something went wrong on our side; nothing was saved. Quote request id "
            f"{failures.request_id()} when you report it.",
            request_id=failures.request_id(),
        )


def _problem(error: dict) -> dict:
    """One pydantic error as a field and a sentence: "started_at is not valid: input should be a valid datetime"."""
    loc = [str(p) for p in error.get("loc", ())]
    # ("body", "data", "holds", "0") -> "holds.0"; ("query", "page") -> "page"; ("body", "data") -> the body itself
    parts = loc[2:] if loc[:1] == ["body"] else loc[1:]
    field = ".".join(parts) or ("body" if loc[:1] == ["body"] else None)
    kind, msg = error.get("type", ""), str(error.get("msg", "")).rstrip(".")
    what = "The request body" if field == "body" else field or "The request"
    if kind == "missing":
        return {"field": field, "message": f"{what} is required."}
    if kind == "extra_forbidden":
        return {"field": field, "message": f"{what} is not something this request takes."}
    msg = msg[:1].lower() + msg[1:]
    return {"field": field, "message": f"{what} is not valid: {msg}."}
