import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ProcessSupport
import Specs

/// `type: http`: one request with placeholders resolved in the URL, headers and body. The step succeeds
/// when the status is one of `expectedStatus` (any 2xx when none is given). Redirects are not followed
/// (a 3xx is the answer); TLS is verified against the system's CA store; the whole exchange, body
/// included, must end within the step's timeout; a body over `maxBody` fails the step.
///
/// Outputs: `status`, `body` (up to 64 KiB), `header_NAME` (lower-cased names) and, for a JSON object
/// body, `json_KEY` for each top-level field (no dots: `${steps.STEP.outputs.KEY}` takes one key).
enum HTTPStep {
    static let maxBodyOutput = 64 * 1024
    /// The most of a response body read; past it the step fails (a step's outputs are small).
    static let maxBody = 4 << 20

    static var client: HTTPClient { OutboundHTTP.client }

    static func run(_ invocation: StepInvocation) async -> AttemptResult {
        let step = invocation.step
        guard let http = step.http else { return .failure("step '\(step.name)' of type http has no request") }
        let field = "steps.\(step.name)"
        let environment: StepEnvironment
        var request: HTTPClientRequest
        do {
            environment = try StepEnvironment(step: step, scope: invocation.scope, resolver: invocation.resolver,
                                              outputFile: "/dev/null", admin: invocation.admin, settings: invocation.settings)
            let text = try invocation.resolver.resolve(http.url, field: "\(field).url")
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  url.host?.isEmpty == false else {
                return .failure("\(field).url: '\(text)' is not an http or https URL")
            }
            request = HTTPClientRequest(url: text)
            request.method = HTTPMethod(rawValue: http.method.uppercased())
            for (name, value) in http.headers.sorted(by: { $0.key < $1.key }) {
                request.headers.replaceOrAdd(name: name, value: try invocation.resolver.resolve(value, field: "\(field).headers.\(name)"))
            }
            if let body = http.body {
                request.body = .bytes(ByteBuffer(string: try invocation.resolver.resolve(body, field: "\(field).body")))
            }
        } catch {
            return .failure(error.message)
        }
        let mask = invocation.mask.adding(environment.secrets)
        let log = StepLog(mask: mask, path: invocation.logPath, budget: invocation.settings.logBudget)
        let target = "\(request.method.rawValue) \(request.url)"
        let answer: Answer
        func timedOut() -> AttemptResult {
            let message = "\(target): no answer within \(StepProcess.describe(invocation.timeout))"
            log.note(message)
            return AttemptResult(result: .timedOut, exitCode: nil, log: log.finish(), message: message, secrets: environment.secrets)
        }
        do {
            let prepared = request
            let limit = invocation.timeout
            // AsyncHTTPClient's deadline ends the wait for a connection and for the answer's head;
            // `withDeadline` also bounds the body read, so the whole exchange ends within the step's timeout.
            answer = try await withDeadline(limit) {
                let response = try await client.execute(prepared, timeout: .milliseconds(Int64(limit.wholeMilliseconds)))
                let body = try await response.body.collect(upTo: maxBody)
                return Answer(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                              body: Data(body.readableBytesView))
            }
        } catch is CancellationError {
            log.note("\(target): cancelled")
            return AttemptResult(result: .cancelled, exitCode: nil, log: log.finish(), message: "cancelled", secrets: environment.secrets)
        } catch is DeadlineExceeded {
            return timedOut()
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return timedOut()
        } catch is NIOTooManyBytesError {
            log.note("\(target): the answer is over \(maxBody >> 20) MiB")
            return AttemptResult(result: .failed, exitCode: nil, log: log.finish(),
                                 message: "\(target): the answer is over \(maxBody >> 20) MiB, more than a step reads", secrets: environment.secrets)
        } catch {
            log.note("\(target): \(error)")
            return AttemptResult(result: .failed, exitCode: nil, log: log.finish(),
                                 message: "\(target) failed: \(error)", secrets: environment.secrets)
        }
        let status = answer.status
        let data = answer.body
        log.note("\(target) → \(status)")
        data.prefix(maxBodyOutput).withUnsafeBytes { log.append($0) }
        var outputs: [String: String] = ["status": String(status), "body": String(decoding: data.prefix(maxBodyOutput), as: UTF8.self)]
        for (name, value) in answer.headers { outputs["header_\(name.lowercased())"] = value }
        if let json = try? JSONDecoder().decode(JSONValue.self, from: data), case .object(let fields) = json {
            for (key, value) in fields { outputs["json_\(key)"] = value.outputText }
        }
        let expected = http.expectedStatus.isEmpty ? Array(200...299) : http.expectedStatus
        let succeeded = expected.contains(status)
        return AttemptResult(result: succeeded ? .succeeded : .failed, exitCode: nil, outputs: outputs, log: log.finish(),
                             message: succeeded ? nil : "\(target) answered \(status); expected "
                                + (http.expectedStatus.isEmpty ? "a 2xx status" : http.expectedStatus.map(String.init).joined(separator: ", ")),
                             secrets: environment.secrets)
    }

    struct Answer: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: Data
    }

    struct DeadlineExceeded: Error {
        var limit: Duration
    }

    /// Runs `body`, cancelling it at `limit`: the request, the body read and any wait for a pooled connection together.
    static func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw DeadlineExceeded(limit: limit)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
