"""Schemathesis hooks for Scripts/api-check: real cases and real files where the document alone
cannot give them (loaded through SCHEMATHESIS_HOOKS).

- A complete application for part of the submissions (a generated one is almost never complete),
  so that the stateful phase follows the answer's links to the case routes with the new case's
  number and query password.
- For the case routes, part of the requests go to a case the script submitted before the run
  (KAIBAN_CHECK_CASES: "number:password" pairs, comma-separated, in the order of ROLES below), with
  its password: without it every case route stops at 404 or at the password.
- Files that are what they say they are (PDF, JPEG, PNG, OFD) for those attachments.
- For the supervisors' sign-in, part of the requests post a supervisor's token
  (KAIBAN_CHECK_SUPERVISOR), so that its answer (303 with the session cookie) is checked too. The
  supervisors' GET routes get the run's portal token (`--header` wins over a hook's), so only
  their 403 is checked here; their pages and lists are checked by the tests.

Which requests are made real is decided by a checksum of what was generated: the same run with
the same seed makes the same choices.
"""

import base64
import hashlib
import io
import json
import os
import zipfile
import zlib

import schemathesis

APPLICATION = json.loads(os.environ.get("KAIBAN_CHECK_APPLICATION") or "{}")
SUPERVISOR = os.environ.get("KAIBAN_CHECK_SUPERVISOR", "")
CASES = [tuple(pair.split(":", 1)) for pair in os.environ.get("KAIBAN_CHECK_CASES", "").split(",") if ":" in pair]
# Which of the script's cases each operation may act on: 0 stays received (documents attached
# to it), 1 and 2 have the officers' appointment deferred (1 gets it as a file; 2's supply by
# digest is refused, deprecated),
# 3 may be withdrawn; every case may be read.
ROLES = {"attachDocument": [0, 1], "supplyDeferredDocuments": [2, 0], "withdrawCase": [3]}
CASE_OPERATIONS = {
    "getCase",
    "getCaseHistory",
    "withdrawCase",
    "supplyDeferredDocuments",
    "listCaseDocuments",
    "attachDocument",
    "getDocumentFile",
}


# Codes of the sample application's checklist (and one it does not have).
CODES = ["articles", "lease", "officer-appointment", "investor-id", "lessor-title", "prior-permit"]


def ofd() -> bytes:
    """A minimal OFD file: a zip with OFD.xml at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" DocType="OFD"/>')
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buffer.getvalue()


FILES = {
    "application/pdf": b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9",
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00",
    "application/ofd": ofd(),
}


def operation_id(context) -> str:
    operation = getattr(context, "operation", None)
    if operation is None:
        return ""
    return (operation.definition.raw or {}).get("operationId", "")


def choice(case, ways: int) -> int:
    """One of `ways`, by a checksum of the generated request."""
    seen = repr((case.path_parameters, dict(case.headers or {}), case.query, case.body, case.media_type))
    return zlib.crc32(seen.encode("utf-8", "replace")) % ways


@schemathesis.hook
def map_case(context, case):
    operation = operation_id(context)
    if operation == "submitApplication" and APPLICATION and choice(case, 2) == 0:
        case.body = APPLICATION
        case.media_type = "application/json"
    elif operation == "signInToDashboard" and SUPERVISOR and choice(case, 2) == 0:
        case.body = {"token": SUPERVISOR}
        case.media_type = "application/x-www-form-urlencoded"
    elif operation in CASE_OPERATIONS and CASES:
        usable = [CASES[i] for i in ROLES.get(operation, range(len(CASES))) if i < len(CASES)] or CASES
        pick = choice(case, len(usable) + 1)
        if pick == len(usable):
            return case
        number, password = usable[pick]
        case.path_parameters["number"] = number
        case.headers["X-Query-Password"] = password
        if operation in ("attachDocument", "getDocumentFile"):
            case.path_parameters["code"] = CODES[choice(case, len(CODES))]
        if operation == "attachDocument" and case.media_type in FILES:
            content = FILES[case.media_type]
            case.body = content
            for name in ("X-Content-SHA256", "Content-Digest"):
                case.headers.pop(name, None)
            case.headers["Repr-Digest"] = "sha-256=:" + base64.b64encode(hashlib.sha256(content).digest()).decode() + ":"
        if operation == "supplyDeferredDocuments":
            case.body = {"documents": [{"code": "officer-appointment", "sha256": hashlib.sha256(b"scan").hexdigest()}]}
            case.media_type = "application/json"
    return case


# The documents' types schemathesis has no serializer of its own for: sent as raw bytes.
schemathesis.serializer.alias(["application/pdf", "application/ofd"], "application/octet-stream")


@schemathesis.deserializer("application/pdf", "image/jpeg", "image/png", "application/ofd")
def deserialize_file(context, response):
    """A file given back, as the string of bytes the document's `File` schema describes; refused
    when its first bytes are of none of the types the API takes."""
    content = response.content
    if not content.startswith((b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04")):
        raise ValueError("a file given back that is none of the types the API takes")
    return content.decode("latin-1")
