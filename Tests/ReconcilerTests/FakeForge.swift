import Foundation
import Testing
import TestSupport

/// A real HTTP server on 127.0.0.1 (Python's http.server) answering the routes of GitHub's, Gitea's and
/// GitLab's REST APIs that notifications use, as those forges document them (status codes, JSON fields),
/// plus Slack- and webhook-like sinks; it records every request it gets in `requests.jsonl`.
///
/// Sinks: `/slack` and `/hook` answer 200; `/flaky` answers 500 to its first request, then 200; `/hang`
/// never answers in time. A webhook's signature is checked here against the secret given at start.
final class FakeForge {
    static let script = #"""
        import hashlib, hmac, json, re, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        log_path, secret = sys.argv[2], sys.argv[3].encode()
        lock = threading.Lock()
        comments = {}   # (number) -> list of {"id", "body"}
        next_id = [1000]
        flaky = [0]
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                signature = self.headers.get("X-Innominatus-Signature-256")
                valid = None
                if signature is not None:
                    valid = hmac.compare_digest(signature, "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest())
                record = {"method": self.command, "path": self.path, "body": raw.decode("utf-8", "replace"),
                          "authorization": self.headers.get("Authorization"), "privateToken": self.headers.get("PRIVATE-TOKEN"),
                          "signatureValid": valid, "time": time.time()}
                with lock:
                    with open(log_path, "a") as log:
                        log.write(json.dumps(record) + "\n")
                path = self.path.split("?")[0]
                if path == "/hang":
                    time.sleep(60); return
                if path == "/flaky":
                    with lock:
                        flaky[0] += 1
                        first = flaky[0] == 1
                    return self.answer(500 if first else 200, {"ok": not first})
                if path in ("/slack", "/hook"):
                    return self.answer(200, {"ok": True})
                body = json.loads(raw) if raw else {}
                # GitHub and Gitea: /repos/{owner}/{repo}/...; GitLab: /projects/{id}/...
                if re.fullmatch(r"/(gh|gitea)/repos/[^/]+/[^/]+/statuses/[0-9a-f]{40}", path) and self.command == "POST":
                    return self.answer(201, {"id": 1, "state": body.get("state"), "context": body.get("context")})
                if re.fullmatch(r"/gitlab/api/v4/projects/[^/]+/statuses/[0-9a-f]{40}", path) and self.command == "POST":
                    return self.answer(201, {"id": 1, "status": body.get("state"), "name": body.get("name")})
                m = re.fullmatch(r"/(?:gh|gitea)/repos/[^/]+/[^/]+/issues/(\d+)/comments", path) \
                    or re.fullmatch(r"/gitlab/api/v4/projects/[^/]+/merge_requests/(\d+)/notes", path)
                if m:
                    number = int(m.group(1))
                    with lock:
                        if self.command == "GET":
                            return self.answer(200, comments.get(number, []))
                        next_id[0] += 1
                        comment = {"id": next_id[0], "body": body.get("body", "")}
                        comments.setdefault(number, []).append(comment)
                    return self.answer(201, comment)
                m = re.fullmatch(r"/(?:gh|gitea)/repos/[^/]+/[^/]+/issues/comments/(\d+)", path) \
                    or re.fullmatch(r"/gitlab/api/v4/projects/[^/]+/merge_requests/\d+/notes/(\d+)", path)
                if m and self.command in ("PATCH", "PUT"):
                    with lock:
                        for found in [c for cs in comments.values() for c in cs if c["id"] == int(m.group(1))]:
                            found["body"] = body.get("body", "")
                            return self.answer(200, found)
                    return self.answer(404, {"message": "Not Found"})
                return self.answer(404, {"message": "Not Found"})
            do_GET = do_POST = do_PATCH = do_PUT = handle_any
            def log_message(self, *args): pass
        server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
        server.daemon_threads = True
        server.serve_forever()
        """#

    let port: Int
    let directory: TemporaryDirectory
    let process: Shell.Background
    let secret: String

    init(secret: String = "webhook-secret-0123") throws {
        directory = try TemporaryDirectory("forge")
        self.secret = secret
        let scriptPath = directory.appending("forge.py")
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: directory.appending("requests.jsonl"), contents: nil)
        port = try freeLocalPort()
        process = try Shell.start(["python3", scriptPath, String(port), directory.appending("requests.jsonl"), secret],
                                  log: directory.appending("forge.log"))
        try waitForPort(port)
    }

    deinit { process.stop() }

    var base: String { "http://127.0.0.1:\(port)" }

    struct Request {
        var method: String
        var path: String
        var body: String
        var authorization: String?
        var privateToken: String?
        var signatureValid: Bool?

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        }
    }

    /// Every request so far, in the order the server got them.
    func requests() throws -> [Request] {
        let text = try String(contentsOfFile: directory.appending("requests.jsonl"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Request(method: record["method"] as? String ?? "", path: record["path"] as? String ?? "",
                           body: record["body"] as? String ?? "", authorization: record["authorization"] as? String,
                           privateToken: record["privateToken"] as? String, signatureValid: record["signatureValid"] as? Bool)
        }
    }

    func requests(to prefix: String) throws -> [Request] {
        try requests().filter { $0.path.hasPrefix(prefix) }
    }
}
