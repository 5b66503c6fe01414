"""What every operation of the API may answer besides its own responses, written into /api/v1/openapi.json.

Each operation declares its success and the refusals its code returns (400, 403, 404, 409 …) itself. The
answers that come from the framework around it are the same for all and are added here, so the document
cannot forget them: 401 where a login or token is needed, 403 where the permission module may refuse the
caller's role, 404 where the path names an object (outside the caller's scope it does not exist), 422
(ninja's validation shape) where there is input to validate, 429 from the rate limit.
"""

from __future__ import annotations

from typing import Any

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
VALIDATION_REF = {"$ref": "#/components/schemas/ValidationErrorOut"}

ERROR_SCHEMA = {"title": "ErrorOut", "type": "object", "required": ["detail"],
                "properties": {"detail": {"title": "Detail", "type": "string"}},
                "examples": [{"detail": "无权执行此操作"}]}
VALIDATION_SCHEMA = {
    "title": "ValidationErrorOut", "type": "object", "required": ["detail"],
    "description": "请求参数或请求体不符合接口定义（django-ninja 的校验错误格式）",
    "properties": {"detail": {"type": "array", "items": {
        "type": "object", "required": ["type", "loc", "msg"],
        "properties": {"type": {"type": "string"}, "loc": {"type": "array", "items": {}},
                       "msg": {"type": "string"}}}}},
    "examples": [{"detail": [{"type": "missing", "loc": ["body", "payload", "name"], "msg": "Field required"}]}],
}

STANDARD = {
    401: ("未登录，或 API 令牌无效、已吊销", ERROR_REF),
    403: ("无权执行此操作（角色不符）", ERROR_REF),
    404: ("不存在，或不在您的权限范围内", ERROR_REF),
    422: ("请求参数或请求体不符合接口定义", VALIDATION_REF),
    429: ("请求过于频繁（见 Retry-After 头）", ERROR_REF),
}


def _response(description: str, ref: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def document_standard_errors(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ERROR_SCHEMA)
    components["ValidationErrorOut"] = VALIDATION_SCHEMA
    for path, methods in schema.get("paths", {}).items():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            declared = {int(code) for code in responses}
            wanted = [429]
            if operation.get("security"):
                wanted += [401, 403]
            if "{" in path:
                wanted.append(404)
            if operation.get("parameters") or operation.get("requestBody"):
                wanted.append(422)
            for code in sorted(wanted):
                if code not in declared:
                    responses[code] = _response(*STANDARD[code])
    return schema


def examples(*values: dict) -> dict:
    """`model_config` for an input Schema: the examples shown in the document (and tried by schemathesis)."""
    from pydantic import ConfigDict

    return ConfigDict(json_schema_extra={"examples": list(values)})


def body_example(value: Any, content_type: str = "application/json") -> dict:
    """`openapi_extra` for a body that is not one Schema (multipart forms, a JSON array)."""
    return {"requestBody": {"content": {content_type: {"example": value}}}}


def binary_response(content_type: str, description: str) -> dict:
    """`openapi_extra` for a file download: its media type, a binary body."""
    return {"responses": {200: {"description": description,
                                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}}}}}
