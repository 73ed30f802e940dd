import Foundation
import Specs
import Testing
import TestSupport
@testable import Executor

/// A real HTTP server on 127.0.0.1 (Python's http.server), answering with what it received.
final class EchoServer {
    static let script = """
        import json, sys
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                status = int(self.path.rsplit("/", 1)[1]) if self.path.startswith("/status/") else 200
                if self.path.startswith("/slow"):
                    import time; time.sleep(5)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path.startswith("/huge"):
                    size = 5 * 1024 * 1024
                    self.send_response(200)
                    self.send_header("Content-Length", str(size))
                    self.end_headers()
                    for _ in range(size // 65536):
                        self.wfile.write(b"x" * 65536)
                    return
                payload = json.dumps({"method": self.command, "path": self.path, "body": body,
                                      "token": self.headers.get("X-Token", ""), "id": 42}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Request-Path", self.path)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            do_GET = do_POST = do_PUT = do_DELETE = answer
            def log_message(self, *args): pass
        server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
        if len(sys.argv) > 2:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[2], sys.argv[3])
            server.socket = context.wrap_socket(server.socket, server_side=True)
        server.serve_forever()
        """

    let port: Int
    let process: Shell.Background
    let directory: TemporaryDirectory

    let tls: Bool

    /// - Parameter tls: serve HTTPS with a self-signed certificate for 127.0.0.1 (made by openssl here),
    ///   which no system CA store trusts.
    init(tls: Bool = false) throws {
        directory = try TemporaryDirectory("http")
        self.tls = tls
        let scriptPath = directory.appending("server.py")
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        port = try freeLocalPort()
        var arguments = ["python3", scriptPath, String(port)]
        if tls {
            let cert = directory.appending("cert.pem"), key = directory.appending("key.pem")
            try Shell.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert])
            arguments += [cert, key]
        }
        process = try Shell.start(arguments, log: directory.appending("server.log"))
        try waitForPort(port)
    }

    deinit { process.stop() }

    var base: String { "\(tls ? "https" : "http")://127.0.0.1:\(port)" }
}

@Suite struct HTTPTests {
    @Test func aRequestWithPlaceholdersAndItsResponseAsOutputs() async throws {
        let server = try EchoServer()
        let sandbox = try Sandbox()
        let workflow = try Sandbox.workflow("""
            - {name: first, run: "echo v=7 >> $INNOMINATUS_OUTPUT"}
            - name: call
              type: http
              method: POST
              url: "\(server.base)/apps/${app.name}"
              headers: {X-Token: "t-${commit}"}
              body: '{"version": "${steps.first.outputs.v}"}'
              expectedStatus: [200, 201]
            - {name: use, run: "test '${steps.call.outputs.json_id}' = 42"}
            """)
        let outcome = await sandbox.run(workflow)
        #expect(outcome.result == .succeeded, "\(outcome)")
        let call = try #require(outcome.step("call"))
        #expect(call.outputs["status"] == "200")
        #expect(call.outputs["json_method"] == "POST")
        #expect(call.outputs["json_path"] == "/apps/demo")
        #expect(call.outputs["json_body"] == #"{"version": "7"}"#)
        #expect(call.outputs["json_token"] == "t-c0ffee")
        #expect(call.outputs["header_x-request-path"] == "/apps/demo")
    }

    @Test func anUnexpectedStatusFailsTheStep() async throws {
        let server = try EchoServer()
        let sandbox = try Sandbox()
        let workflow = try Sandbox.workflow("""
            - {name: missing, type: http, method: GET, url: "\(server.base)/status/404"}
            - {name: accepted, type: http, method: DELETE, url: "\(server.base)/status/404", expectedStatus: [404], when: always}
            """)
        let outcome = await sandbox.run(workflow)
        #expect(outcome.step("missing")?.result == .failed)
        #expect(outcome.step("missing")?.message?.contains("404") == true)
        #expect(outcome.step("accepted")?.result == .succeeded)
    }

    /// Redirects are not followed: a step talks to the host its URL names, and the 3xx is its answer.
    @Test func aRedirectIsTheAnswerNotFollowed() async throws {
        let server = try EchoServer()
        let sandbox = try Sandbox()
        let workflow = try Sandbox.workflow("""
            - {name: moved, type: http, method: GET, url: "\(server.base)/redirect", expectedStatus: [302]}
            - {name: default, type: http, method: GET, url: "\(server.base)/redirect", when: always}
            """)
        let outcome = await sandbox.run(workflow)
        #expect(outcome.step("moved")?.result == .succeeded, "\(outcome)")
        #expect(outcome.step("moved")?.outputs["status"] == "302")
        #expect(outcome.step("moved")?.outputs["header_location"] == "/elsewhere")
        #expect(outcome.step("default")?.result == .failed)
    }

    /// A body over the cap (4 MiB) fails the step with words saying so; it is never held whole.
    @Test func anAnswerOverTheCapFailsTheStep() async throws {
        let server = try EchoServer()
        let sandbox = try Sandbox()
        let workflow = try Sandbox.workflow("- {name: big, type: http, method: GET, url: \"\(server.base)/huge\"}")
        let outcome = await sandbox.run(workflow)
        #expect(outcome.step("big")?.result == .failed)
        #expect(outcome.step("big")?.message?.contains("over 4 MiB") == true, "\(outcome)")
    }

    /// TLS is verified against the system's CA store: a certificate none of its authorities signed is
    /// refused before a byte of the request is sent, and the step says why.
    @Test func aCertificateNoAuthoritySignedFailsTheStep() async throws {
        let server = try EchoServer(tls: true)
        let sandbox = try Sandbox()
        let workflow = try Sandbox.workflow("- {name: call, type: http, method: GET, url: \"\(server.base)/hello\"}")
        let outcome = await sandbox.run(workflow)
        let call = try #require(outcome.step("call"))
        #expect(call.result == .failed)
        #expect(call.message?.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(call.message ?? "")")
        #expect(call.outputs["status"] == nil)
    }

    @Test func aSlowServerTimesOut() async throws {
        let server = try EchoServer()
        let sandbox = try Sandbox()
        let workflow = try Sandbox.workflow("- {name: slow, type: http, method: GET, url: \"\(server.base)/slow\", timeout: 300ms}")
        let outcome = await sandbox.run(workflow)
        #expect(outcome.step("slow")?.result == .timedOut)
    }
}
