import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ProcessSupport
import Specs

/// `type: http`: one request with placeholders resolved in the URL, headers and body. The step succeeds
/// when the status is one of `expectedStatus` (any 2xx when none is given).
///
/// Outputs: `status`, `body` (up to 64 KiB), `header_NAME` (lower-cased names) and, for a JSON object
/// body, `json_KEY` for each top-level field (no dots: `${steps.STEP.outputs.KEY}` takes one key).
enum HTTPStep {
    static let maxBodyOutput = 64 * 1024

    static func run(_ invocation: StepInvocation) async -> AttemptResult {
        let step = invocation.step
        guard let http = step.http else { return .failure("step '\(step.name)' of type http has no request") }
        let field = "steps.\(step.name)"
        let environment: StepEnvironment
        var request: URLRequest
        do {
            environment = try StepEnvironment(step: step, scope: invocation.scope, resolver: invocation.resolver,
                                              outputFile: "/dev/null", admin: invocation.admin, settings: invocation.settings)
            let text = try invocation.resolver.resolve(http.url, field: "\(field).url")
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                return .failure("\(field).url: '\(text)' is not an http or https URL")
            }
            request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData,
                                 timeoutInterval: Double(invocation.timeout.wholeMilliseconds) / 1000)
            request.httpMethod = http.method.uppercased()
            for (name, value) in http.headers.sorted(by: { $0.key < $1.key }) {
                request.setValue(try invocation.resolver.resolve(value, field: "\(field).headers.\(name)"), forHTTPHeaderField: name)
            }
            if let body = http.body { request.httpBody = Data(try invocation.resolver.resolve(body, field: "\(field).body").utf8) }
        } catch {
            return .failure(error.message)
        }
        let mask = invocation.mask.adding(environment.secrets)
        let log = StepLog(mask: mask, path: invocation.logPath, budget: invocation.settings.logBudget)
        let target = "\(request.httpMethod ?? "GET") \(request.url?.absoluteString ?? http.url)"
        let answer: (Data, URLResponse)
        do {
            let prepared = request
            answer = try await withDeadline(invocation.timeout) { try await URLSession.shared.data(for: prepared) }
        } catch is CancellationError {
            log.note("\(target): cancelled")
            return AttemptResult(result: .cancelled, exitCode: nil, log: log.finish(), message: "cancelled", secrets: environment.secrets)
        } catch let error as DeadlineExceeded {
            log.note("\(target): no answer within \(StepProcess.describe(error.limit))")
            return AttemptResult(result: .timedOut, exitCode: nil, log: log.finish(),
                                 message: "\(target): no answer within \(StepProcess.describe(error.limit))", secrets: environment.secrets)
        } catch {
            log.note("\(target): \(error.localizedDescription)")
            return AttemptResult(result: .failed, exitCode: nil, log: log.finish(),
                                 message: "\(target) failed: \(error.localizedDescription)", secrets: environment.secrets)
        }
        let (data, response) = answer
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        log.note("\(target) → \(status)")
        data.prefix(maxBodyOutput).withUnsafeBytes { log.append($0) }
        var outputs: [String: String] = ["status": String(status), "body": String(decoding: data.prefix(maxBodyOutput), as: UTF8.self)]
        for (name, value) in (response as? HTTPURLResponse)?.allHeaderFields ?? [:] {
            if let name = name as? String, let value = value as? String { outputs["header_\(name.lowercased())"] = value }
        }
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

    struct DeadlineExceeded: Error {
        var limit: Duration
    }

    /// Runs `body`, cancelling it at `limit`: URLSession's own timeout is per idle period, not overall.
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
