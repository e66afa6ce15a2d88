"""A test receiver for netfilter's network outputs, on 127.0.0.1.

--mode falco checks every POST the way falcosidekick's input handler does (exactly one JSON
object; a priority it knows, any case; a non-empty rule; a non-zero RFC 3339 time; non-empty
output_fields) and answers 400 "Please send a valid request body" otherwise.
--mode otlp parses every POST with opentelemetry-proto into an ExportLogsServiceRequest (unknown
fields are an error here) and answers an empty ExportLogsServiceResponse.

Each accepted record is appended as one JSON line to --records; each refused request to
--records + ".rejected". --script 503,503,200 answers the first requests with those statuses
(then 200), 429:3 with Retry-After: 3; --stall accepts connections and never answers; --require-header 'Name: value'
refuses (401) requests without it. --cert/--key serve HTTPS; --client-ca requires a client
certificate signed by that CA. Prints "READY <port>" once listening. Stops after --lifetime seconds.
"""

import argparse
import datetime
import gzip
import http.server
import json
import re
import socket
import ssl
import sys
import threading
import time

PRIORITIES = {"emergency", "alert", "critical", "error", "warning", "notice", "informational", "info", "debug"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def falco_check(body):
    """The falcosidekick Check(): returns (record, None) or (None, reason)."""
    try:
        decoder = json.JSONDecoder()
        text = body.decode("utf-8")
        payload, end = decoder.raw_decode(text)
        if text[end:].strip():
            return None, "more than one JSON value"
    except (ValueError, UnicodeDecodeError) as error:
        return None, "not JSON: %s" % error
    if not isinstance(payload, dict):
        return None, "not an object"
    if str(payload.get("priority", "")).lower() not in PRIORITIES:
        return None, "bad priority"
    if not isinstance(payload.get("rule"), str) or not payload["rule"]:
        return None, "empty rule"
    stamp = payload.get("time")
    if not isinstance(stamp, str) or not RFC3339.match(stamp) or stamp.startswith("0001-01-01T00:00:00"):
        return None, "bad time"
    if not isinstance(payload.get("output_fields"), dict) or not payload["output_fields"]:
        return None, "empty output_fields"
    return payload, None


def otlp_check(body, content_type):
    from google.protobuf import json_format
    from opentelemetry.proto.collector.logs.v1 import logs_service_pb2

    request = logs_service_pb2.ExportLogsServiceRequest()
    try:
        if "json" not in content_type:
            return None, "content type %s" % content_type
        json_format.Parse(body.decode("utf-8"), request, ignore_unknown_fields=False)
    except Exception as error:  # noqa: BLE001 - any parse failure is a refusal
        return None, "not an ExportLogsServiceRequest: %s" % error
    records = []
    for resource_logs in request.resource_logs:
        resource = {a.key: typed(a.value) for a in resource_logs.resource.attributes}
        for scope_logs in resource_logs.scope_logs:
            for record in scope_logs.log_records:
                records.append({
                    "resource": resource,
                    "scope": scope_logs.scope.name,
                    "timeUnixNano": record.time_unix_nano,
                    "severityNumber": record.severity_number,
                    "severityText": record.severity_text,
                    "eventName": record.event_name,
                    "body": record.body.string_value,
                    "attributes": {a.key: typed(a.value) for a in record.attributes},
                })
    return {"batch": len(records), "records": records}, None


def typed(value):
    """An AnyValue as [type, value]."""
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [kind, [typed(v) for v in value.array_value.values]]
    return [kind, getattr(value, kind) if kind else None]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["falco", "otlp"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--records", required=True)
    parser.add_argument("--script", default="")
    parser.add_argument("--stall", action="store_true")
    parser.add_argument("--require-header", default=None)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--client-ca")
    parser.add_argument("--lifetime", type=float, default=120)
    options = parser.parse_args()
    script = [s.split(":") for s in options.script.split(",") if s]
    lock = threading.Lock()
    required = None
    if options.require_header:
        name, value = options.require_header.split(":", 1)
        required = (name.strip().lower(), value.strip())

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def setup(self):
            super().setup()
            # Headers and body go out in two writes: without this, delayed ACKs cost 40 ms a reply.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if options.stall:
                time.sleep(options.lifetime)
                return
            with lock:
                step = script.pop(0) if script else ["200"]
            if step[0] != "200":
                return self.reply(int(step[0]), b"scripted", retry_after=step[1] if len(step) > 1 else None)
            if required and self.headers.get(required[0]) != required[1]:
                self.refuse(401, "missing or wrong %s header" % required[0])
                return
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if options.mode == "falco":
                record, reason = falco_check(body)
            else:
                record, reason = otlp_check(body, self.headers.get("Content-Type", ""))
            if record is None:
                self.refuse(400, reason)
                return
            record["_gzip"] = self.headers.get("Content-Encoding") == "gzip"
            if self.connection.__class__.__name__ == "SSLSocket":
                peer = self.connection.getpeercert()
                record["_client"] = dict(x[0] for x in peer["subject"])["commonName"] if peer else None
            with lock, open(options.records, "a") as out:
                out.write(json.dumps(record) + "\n")
            self.reply(200, b"{}" if options.mode == "otlp" else b"ok")

        def refuse(self, status, reason):
            with lock, open(options.records + ".rejected", "a") as out:
                out.write(json.dumps({"status": status, "reason": reason}) + "\n")
            self.reply(status, b"Please send a valid request body")

        def reply(self, status, body, retry_after=None):
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if options.mode == "otlp" else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            if retry_after is not None:
                self.send_header("Retry-After", str(retry_after))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    server.daemon_threads = True
    if options.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options.cert, options.key)
        if options.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(options.client_ca)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Timer(options.lifetime, server.shutdown).start()
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
