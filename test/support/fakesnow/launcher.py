"""Runs fakesnow's Snowflake-compatible HTTP server on a loopback port for the Node tests.

    .venv-fakesnow/bin/python test/support/fakesnow/launcher.py --port 8123

What differs from `fakesnow -s`, all of it so that the Node driver (snowflake-sdk) can talk to it:

1. Results reach the client as JSON rowsets. fakesnow answers a SELECT the way Snowflake answers the
   Python connector: an Arrow IPC stream in `rowsetBase64`. The Node driver reads only JSON rowsets
   (`data.rowset`, every value a string in Snowflake's JSON result encoding), so each Arrow answer is
   rewritten into that encoding here, from the Arrow schema fakesnow already shaped for Snowflake
   clients (`fakesnow.arrow.to_sf`) and the response's `rowtype`. Every result also says how many rows
   came inline (`returned`), which the Node driver waits for and fakesnow leaves out of DML answers.
2. PUT works: the stage description of a PUT answer gains the region the driver reads before it
   uploads, and the driver's "is the file already there?" GET of the upload URL is answered as a GCS
   URL presigned for an upload answers it (403, or 404 when absent) instead of 405.
3. A statement fakesnow fails on with a 500 (a bug or unsupported feature) fails at once with code
   261000 and fakesnow's reason, instead of being retried by the driver for minutes.
4. GET and REMOVE on internal stages, which fakesnow lacks (it has PUT and LIST). GET answers as
   Snowflake does, with a DOWNLOAD description of the matching files, but names a LOCAL_FS location
   (fakesnow's own folder for the stage) where Snowflake names a cloud bucket; the Node driver then
   copies the files instead of fetching them over HTTPS, so its cloud download code is not exercised.
   PATTERN is matched against each file's path in the stage, as Snowflake does. REMOVE deletes the
   files under a path and answers their names, as Snowflake's `name, result` rows.
5. `ALTER TABLE a SWAP WITH b`, which fakesnow's parser refuses, runs as the three renames it amounts to
   (a -> a swapped aside, b -> a, then the old a -> b), so the engine's atomic rebuild of a table runs here
   as on Snowflake (where SWAP itself is atomic; here the three renames are not, which no test observes).
6. A few test-only endpoints under /fakesnow-test/: `health`, `requests` (the query requests the client
   sent: SQL text, statement parameters such as QUERY_TAG, and bind counts; `?clear=1` empties the
   list) and `expire-sessions` (forgets every session token, so the next request fails the way an
   expired session does and the client must log in again).

It listens on 127.0.0.1 only and exits when its stdin closes, so a test runner that dies does not
leave a server behind.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import decimal
import gzip
import json
import logging
import math
import os
import re
import shutil
import sys
import threading
from typing import Any

import pyarrow as pa
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import fakesnow.server as fs_server
from fakesnow.transforms import stage as fs_stage

EPOCH_DAY = datetime.date(1970, 1, 1)
recorded: list[dict[str, Any]] = []

# fakesnow records a (NULL) table comment in its global catalog database for every CREATE TABLE,
# including the ones its own MERGE emulation makes; DuckDB refuses that write inside a transaction that
# already changed the user's database ("a single transaction can only write to a single attached
# database"), so every MERGE inside BEGIN ... COMMIT failed. Snowflake has no such limit. Only real
# comments are recorded now.
import fakesnow.info_schema as fs_info_schema  # noqa: E402

_insert_table_comment_sql = fs_info_schema.insert_table_comment_sql


def _insert_table_comment_when_given(catalog: str, schema: str, table: str, comment: str | None) -> str:
    return _insert_table_comment_sql(catalog, schema, table, comment) if comment is not None else "SELECT 1 WHERE FALSE"


fs_info_schema.insert_table_comment_sql = _insert_table_comment_when_given


def _seconds(total_ns: int) -> str:
    """Nanoseconds as decimal seconds with 9 fraction digits, e.g. -1.500000000."""
    return format(decimal.Decimal(total_ns).scaleb(-9), ".9f")


def _json_value(value: Any, sf_type: str) -> str | None:
    """One value in Snowflake's JSON result encoding, as snowflake-sdk's column.js parses it."""
    if value is None:
        return None
    if isinstance(value, dict) and value.get("epoch") is None:
        # fakesnow's timestamp struct keeps a row for a NULL timestamp, with NULL fields
        return None
    if sf_type == "fixed":
        return format(value, "f") if isinstance(value, decimal.Decimal) else str(int(value))
    if sf_type == "real":
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(float(value))
    if sf_type == "boolean":
        return "1" if value else "0"
    if sf_type == "date":
        # days since the epoch
        return str((value - EPOCH_DAY).days)
    if sf_type == "time":
        # fakesnow sends nanoseconds since midnight (int64); JSON wants seconds
        return _seconds(int(value))
    if sf_type in ("timestamp_ntz", "timestamp_ltz"):
        # fakesnow sends {epoch: seconds, fraction: nanoseconds}; JSON wants "seconds.fraction"
        return _seconds(value["epoch"] * 1_000_000_000 + value["fraction"])
    if sf_type == "timestamp_tz":
        # "seconds.fraction tz", where tz is the offset in minutes + 1440 (result version 1)
        return f"{_seconds(value['epoch'] * 1_000_000_000 + value['fraction'])} {value.get('timezone', 1440)}"
    if sf_type == "binary":
        return bytes(value).hex().upper()
    # text, variant, object, array: the text itself
    return value if isinstance(value, str) else json.dumps(value)


def arrow_to_rowset(rowset_base64: str, rowtype: list[dict[str, Any]]) -> list[list[str | None]]:
    if not rowset_base64:
        return []
    reader = pa.ipc.open_stream(base64.b64decode(rowset_base64))
    table = reader.read_all()
    types = [c["type"].lower() for c in rowtype]
    columns = [column.to_pylist() for column in table.columns]
    return [[_json_value(v, types[i]) for i, v in enumerate(row)] for row in zip(*columns, strict=True)]


def as_json_rowset(payload: dict[str, Any]) -> dict[str, Any]:
    data = payload.get("data")
    if isinstance(data, dict) and isinstance(stage_info := data.get("stageInfo"), dict):
        # A PUT: fakesnow describes its upload target as a GCS presigned URL back to itself. The Node
        # driver reads the stage's region before it looks at the URL (gcs_util.getGCSCustomEndPoint)
        # and fails on a missing one, so name the region Snowflake would.
        stage_info.setdefault("region", "us-central1")
        stage_info.setdefault("useRegionalUrl", False)
        stage_info.setdefault("endPoint", None)
        return payload
    if not isinstance(data, dict) or "rowtype" not in data:
        return payload
    if data.get("queryResultFormat") == "arrow":
        data["rowset"] = arrow_to_rowset(data.pop("rowsetBase64", ""), data.get("rowtype") or [])
        data["queryResultFormat"] = "json"
    # Snowflake always says how many rows came inline; without it the Node driver never finishes
    # reading a DML result (fakesnow leaves it out of the JSON answers it builds itself).
    data["returned"] = len(data.get("rowset") or [])
    # "1": TIMESTAMP_TZ values carry their offset after a space (see _json_value)
    data["version"] = 1
    return payload


async def query_request(request: Request) -> Response:
    body = await request.body()
    try:
        sent = json.loads(gzip.decompress(body) if request.headers.get("Content-Encoding") == "gzip" else body)
        bindings = sent.get("bindings") or {}
        first = next(iter(bindings.values()), None)
        recorded.append(
            {
                "sqlText": sent.get("sqlText"),
                "parameters": sent.get("parameters") or {},
                "bindCount": len(bindings),
                "bindRows": len(first["value"]) if first and isinstance(first.get("value"), list) else (1 if first else 0),
                "describeOnly": bool(sent.get("describeOnly")),
            }
        )
    except Exception:  # noqa: BLE001 - recording is best effort; fakesnow reports bad bodies itself
        pass

    sql_text = _sql_text(body, request)
    swap = _SWAP.match(sql_text)
    if swap:
        return await _swap_tables(request, body, swap.group(1), swap.group(2))
    stage_command = _GET.match(sql_text) or _REMOVE.match(sql_text)
    if stage_command:
        return await _stage_files(request, body, stage_command)
    response = await _fakesnow_query(request, body)
    payload = json.loads(bytes(response.body))
    if response.status_code >= 500:
        # A statement fakesnow cannot handle (a bug or an unsupported feature) answers 500, which the
        # driver retries for minutes as if Snowflake were briefly down. It will fail the same way every
        # time, so fail the statement at once, with fakesnow's reason.
        return JSONResponse(
            {
                "success": False,
                "code": "261000",
                "message": f"fakesnow cannot run this statement: {payload.get('message')}",
                "data": {"errorCode": "261000", "sqlState": "XX000"},
            }
        )
    return JSONResponse(as_json_rowset(payload), status_code=response.status_code)


_SWAP = re.compile(r"^\s*ALTER\s+TABLE\s+([\w.$\"]+)\s+SWAP\s+WITH\s+([\w.$\"]+)\s*;?\s*$", re.IGNORECASE)


_STAGE_REF = r"(?P<stage>@[\w.$\"]+)(?:/(?P<path>[^\s']*))?"
_PATTERN = r"(?:\s+PATTERN\s*=\s*'(?P<pattern>(?:[^'\\]|''|\\.)*)')?"
_GET = re.compile(rf"^\s*GET\s+{_STAGE_REF}\s+'?file://(?P<local>[^'\s]+)'?{_PATTERN}\s*;?\s*$", re.IGNORECASE)
_REMOVE = re.compile(rf"^\s*(?:REMOVE|RM)\s+{_STAGE_REF}{_PATTERN}\s*;?\s*$", re.IGNORECASE)


def _stage_error(code: str, message: str, sql_state: str = "02000") -> JSONResponse:
    return JSONResponse({"success": False, "code": code, "message": message, "data": {"errorCode": code, "sqlState": sql_state}})


async def _stage_files(request: Request, body: bytes, command: re.Match[str]) -> Response:
    """GET or REMOVE on an internal stage, over the folder where fakesnow keeps the stage's files."""
    try:
        conn = fs_server.to_conn(fs_server.to_token(request))
    except fs_server.ServerError as e:
        return JSONResponse({"success": False, "code": e.code, "message": e.message, "data": None}, status_code=e.status_code)
    catalog, schema, name = fs_stage.parts_from_var(command.group("stage")[1:], conn.database, conn.schema)
    fqname = f"{catalog}.{schema}.{name}"
    if conn._duck_conn.execute(fs_stage.stage_lookup_sql(catalog, schema, name, conn.table_stages)).fetchone() is None:
        return _stage_error("002003", f"SQL compilation error:\nStage '{fqname}' does not exist or not authorized.")
    root = fs_stage.internal_dir(fqname)
    prefix = command.group("path") or ""
    # The text of a Snowflake string constant: '' is a quote, and a backslash escapes the next character.
    pattern = command.group("pattern") and re.sub(r"''|\\(.)", lambda m: m.group(1) or "'", command.group("pattern"))
    found = []
    for folder, _, files in os.walk(root):
        for file in files:
            relative = os.path.relpath(os.path.join(folder, file), root).replace(os.sep, "/")
            if relative.startswith(prefix) and (pattern is None or re.fullmatch(pattern, relative)):
                found.append(relative)
    found.sort()
    if _GET.match(command.string):
        local = command.group("local")
        return JSONResponse(
            {
                "success": True,
                "data": {
                    "command": "DOWNLOAD",
                    "src_locations": found,
                    "localLocation": local,
                    "stageInfo": {"locationType": "LOCAL_FS", "location": root, "path": "", "creds": {}},
                    "parallel": 10,
                    "overwrite": True,
                    "autoCompress": False,
                    "sourceCompression": "none",
                    "encryptionMaterial": [],
                    "presignedUrls": [],
                    "parameters": [],
                },
            }
        )
    for relative in found:
        os.remove(os.path.join(root, relative))
    # Answered through fakesnow, so the rows come back in the shape the driver reads.
    rows = ", ".join(f"('{name.lower()}/{relative}', 'removed')" for relative in found) or "(NULL, NULL)"
    where = "" if found else " WHERE FALSE"
    sql = f"SELECT name, result FROM (VALUES {rows}) AS t(name, result){where}"
    gzipped = request.headers.get("Content-Encoding") == "gzip"
    step = json.dumps({**json.loads(gzip.decompress(body) if gzipped else body), "sqlText": sql}).encode()
    response = await _fakesnow_query(request, gzip.compress(step) if gzipped else step)
    return JSONResponse(as_json_rowset(json.loads(bytes(response.body))), status_code=response.status_code)


def _sql_text(body: bytes, request: Request) -> str:
    try:
        sent = json.loads(gzip.decompress(body) if request.headers.get("Content-Encoding") == "gzip" else body)
        return str(sent.get("sqlText") or "")
    except Exception:  # noqa: BLE001 - fakesnow reports bad bodies itself
        return ""


async def _fakesnow_query(request: Request, body: bytes) -> Response:
    # fakesnow's handler reads the body again; hand it a request whose body is cached
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return await fs_server.query_request(Request(request.scope, receive))


async def _swap_tables(request: Request, body: bytes, first: str, second: str) -> Response:
    """Runs `ALTER TABLE first SWAP WITH second` as three renames; stops at the first that fails."""
    gzipped = request.headers.get("Content-Encoding") == "gzip"
    sent = json.loads(gzip.decompress(body) if gzipped else body)
    aside = f"{first}__fakesnow_swap"
    response: Response | None = None
    for sql in (f"ALTER TABLE {first} RENAME TO {aside}", f"ALTER TABLE {second} RENAME TO {first}", f"ALTER TABLE {aside} RENAME TO {second}"):
        step = json.dumps({**sent, "sqlText": sql}).encode()
        response = await _fakesnow_query(request, gzip.compress(step) if gzipped else step)
        if response.status_code != 200 or not json.loads(bytes(response.body)).get("success", False):
            break
    assert response is not None
    return JSONResponse(as_json_rowset(json.loads(bytes(response.body))), status_code=response.status_code)


async def bucket_head(request: Request) -> Response:
    """Before a PUT the Node driver GETs the presigned URL to see whether the file is there.

    fakesnow serves only uploads on that path (405 for a GET, which the driver reports as an upload
    error). A real GCS URL presigned for an upload answers 403 to a GET, which the driver reads as
    "not there yet", so answer the same.
    """
    target = os.path.normpath(os.path.join(fs_stage.LOCAL_BUCKET_PATH, request.path_params["path"]))
    exists = target.startswith(fs_stage.LOCAL_BUCKET_PATH + os.sep) and os.path.exists(target)
    return Response(status_code=403 if exists else 404)


async def health(_: Request) -> Response:
    return JSONResponse({"ok": True})


async def requests(request: Request) -> Response:
    out = list(recorded)
    if request.query_params.get("clear"):
        recorded.clear()
    return JSONResponse(out)


async def expire_sessions(_: Request) -> Response:
    count = len(fs_server.sessions)
    fs_server.sessions.clear()
    return JSONResponse({"expired": count})


def build_app() -> Starlette:
    routes = [
        Route("/queries/v1/query-request", query_request, methods=["POST"]),
        Route("/fs_bucket/{path:path}", bucket_head, methods=["GET"]),
        Route("/fakesnow-test/health", health, methods=["GET"]),
        Route("/fakesnow-test/requests", requests, methods=["GET"]),
        Route("/fakesnow-test/expire-sessions", expire_sessions, methods=["POST"]),
        *[r for r in fs_server.routes if getattr(r, "path", None) != "/queries/v1/query-request"],
    ]
    return Starlette(routes=routes)


def exit_when_stdin_closes(server: uvicorn.Server) -> None:
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except Exception:  # noqa: BLE001
        pass
    server.should_exit = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--no-stdin-watch", action="store_true", help="keep running when stdin closes")
    args = parser.parse_args()

    logging.getLogger("fakesnow.server").setLevel(args.log_level.upper())
    config = uvicorn.Config(build_app(), host="127.0.0.1", port=args.port, log_level=args.log_level, lifespan="off")
    server = uvicorn.Server(config)
    if not args.no_stdin_watch:
        threading.Thread(target=exit_when_stdin_closes, args=(server,), daemon=True).start()
    try:
        server.run()
    finally:
        # fakesnow keeps internal stages (uploaded files) in a temporary directory of its own
        shutil.rmtree(fs_stage.LOCAL_BUCKET_PATH, ignore_errors=True)


if __name__ == "__main__":
    main()
