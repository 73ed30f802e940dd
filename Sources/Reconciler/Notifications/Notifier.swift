import AsyncHTTPClient
import Executor
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Planner
import ProcessSupport
import Specs

/// Tells people what passes and previews found (docs/ARCHITECTURE.md §9, notifications): commit
/// statuses and the preview's one PR comment on the forge, events to Slack and signed webhooks.
///
/// Never in the way: it runs after the pass is recorded, each delivery has at most 3 tries within about
/// 10 s, and what still fails waits in `<workdir>/notifications/outbox.json` for the next pass. Its
/// failures are logged with the sink's name only; tokens, secrets and secret URLs stay in memory.
public actor Notifier {
    /// A sink with its URL and secret read from the environment.
    struct Sink: Sendable {
        var config: NotificationConfig.Sink
        var url: String
        var secret: [UInt8]?
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    let config: NotificationConfig
    let forge: ForgeAPI?
    let sinks: [String: Sink]
    /// `<workdir>/notifications`: the dedupe record and the outbox, shared by every process on the workdir.
    let folder: String
    /// `serve --public-url`: statuses link to the server's page.
    let publicURL: String?
    let logger: Logger
    private var started: Task<Void, Never>?

    /// Tries per delivery, the wait before each retry, and how long one try may take.
    static let tries = 3
    static let backoff: [Duration] = [.milliseconds(500), .milliseconds(1500)]
    static let perTry: Duration = .milliseconds(2500)
    /// The outbox keeps a delivery this long, and at most this many.
    static let outboxAge: Int64 = 24 * 3_600_000
    static let outboxLimit = 500

    /// Reads the secrets the file names from `environment`; a variable that is not set is an error
    /// naming it (never its value).
    public init(config: NotificationConfig, environment: [String: String] = ProcessInfo.processInfo.environment,
                workdir: String, publicURL: String? = nil, logger: Logger = Logger(label: "innominatus.notifications")) throws {
        func variable(_ name: String, for what: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                throw Failure(description: "\(what): the environment variable \(name) is not set")
            }
            return value
        }
        self.config = config
        if let forge = config.forge {
            self.forge = ForgeAPI(forge: forge, token: try variable(forge.tokenEnv, for: "forge.tokenEnv"))
        } else {
            self.forge = nil
        }
        var sinks: [String: Sink] = [:]
        for sink in config.sinks {
            let url: String
            switch sink.address {
            case .url(let literal): url = literal
            case .environment(let name): url = try variable(name, for: "sink '\(sink.name)' urlEnv")
            }
            let secret = try sink.secretEnv.map { Array(try variable($0, for: "sink '\(sink.name)' secretEnv").utf8) }
            sinks[sink.name] = Sink(config: sink, url: url, secret: secret)
        }
        self.sinks = sinks
        self.folder = workdir + "/notifications"
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.logger = logger
    }

    // MARK: Passes

    /// The pass is about to run pairs: `pending` on the commit (posted while the pass runs).
    public func passStarted(commit: String) {
        guard forge != nil else { return }
        let status = CommitStatus(sha: commit, state: .pending, context: CommitStatus.passContext,
                                  description: "running", targetURL: link)
        started = Task { await self.deliver([.status(status)]) }
    }

    /// A recorded pass: its final status, then the events each sink asked for (deduplicated).
    func passRecorded(_ report: PassReport, plan: Plan, desired: DesiredState, before: AppliedState, now: Date = Date()) async {
        guard let status = report.status else { return }
        await started?.value
        started = nil
        var deliveries: [Delivery] = []
        if forge != nil {
            // error: the pass could not do its work (remote, lease, workdir, record); failure: the commit's
            // pairs failed, its files are invalid, or the trust file refused it.
            let state: CommitStatus.State = switch (report.exitCode, report.code) {
            case (0, _): .success
            case (_, .invalidConfig?), (_, .invalidSpec?), (_, .refused?), (_, .untrusted?), (_, nil): .failure
            case (_, .some): .error
            }
            deliveries.append(.status(CommitStatus(sha: status.commit, state: state, context: CommitStatus.passContext,
                                                   description: CommitStatus.description(of: status), targetURL: link)))
        }
        let events = PassEvents.events(status: status, exitCode: report.exitCode, plan: plan, desired: desired, before: before,
                                       at: StatusBuilder.rfc3339(now))
        deliveries += await deduplicated(events, now: now)
        await deliver(deliveries)
    }

    /// A preview: the `innominatus/preview` status on the previewed commit and, with `pullRequest`, the one
    /// comment on it that later previews edit.
    public func previewed(_ preview: Preview, markdown: String, pullRequest: Int?) async {
        guard let forge else { return }
        let state: CommitStatus.State = preview.blocked.isEmpty && preview.errors.isEmpty ? .success : .failure
        await deliver([.status(CommitStatus(sha: preview.commit, state: state, context: CommitStatus.previewContext,
                                            description: CommitStatus.description(of: preview), targetURL: nil))])
        guard let pullRequest else { return }
        let body = ForgeAPI.commentMarker + "\n" + markdown
        var existing: Int?
        for page in 1...20 {
            guard case .delivered(let answer) = await sendWithRetries(forge.listComments(pullRequest, page: page), label: "forge") else {
                return  // logged; posting blind could add a second comment
            }
            let found = ForgeAPI.markedComment(in: answer)
            if let id = found.id { existing = id; break }
            if !found.full { break }
        }
        let request = existing.map { forge.updateComment(pullRequest, id: $0, body: body) } ?? forge.createComment(pullRequest, body: body)
        _ = await sendWithRetries(request, label: "forge")
    }

    private var link: String? { publicURL.map { $0 + "/" } }

    // MARK: Deliveries

    /// What is sent: a commit status to the forge, or an event to one sink.
    enum Delivery: Codable, Sendable, Hashable {
        case status(CommitStatus)
        case event(sink: String, NotificationEvent)

        var label: String {
            switch self {
            case .status: "forge"
            case .event(let sink, _): "sink '\(sink)'"
            }
        }
    }

    /// The events each sink asked for, less those it was sent within `dedupe` (recorded now, so separate
    /// processes on the workdir share the record).
    private func deduplicated(_ events: [NotificationEvent], now: Date) async -> [Delivery] {
        let nowMs = Timestamp(date: now).millisecondsSinceEpoch
        let window = Int64(config.dedupe.milliseconds)
        return await withFolderLock {
            var sent = read([String: Int64].self, "sent.json") ?? [:]
            sent = sent.filter { nowMs - $0.value < window }
            var deliveries: [Delivery] = []
            for sink in config.sinks {
                for event in events {
                    guard let kind = event.kind, sink.events.contains(kind) else { continue }
                    let key = sink.name + "|" + event.dedupeKey
                    if sent[key] != nil { continue }
                    sent[key] = nowMs
                    deliveries.append(.event(sink: sink.name, event))
                }
            }
            write(sent, "sent.json")
            return deliveries
        }
    }

    /// Sends the outbox's waiting deliveries and these, at once; what fails but may succeed later goes back
    /// to the outbox. A status replaces any older one of the same commit and context waiting there.
    func deliver(_ fresh: [Delivery]) async {
        let nowMs = Timestamp(date: Date()).millisecondsSinceEpoch
        let waiting: [Queued] = await withFolderLock {
            let queued = read([Queued].self, "outbox.json") ?? []
            if !queued.isEmpty { write([Queued](), "outbox.json") }
            return queued
        }
        var batch = waiting.filter { nowMs - $0.queuedAt < Self.outboxAge }
        for delivery in fresh {
            if case .status(let status) = delivery {
                batch.removeAll {
                    if case .status(let old) = $0.delivery { return old.sha == status.sha && old.context == status.context }
                    return false
                }
            }
            batch.append(Queued(delivery: delivery, queuedAt: nowMs))
        }
        guard !batch.isEmpty else { return }
        let failed = await withTaskGroup(of: Queued?.self) { group in
            for item in batch {
                group.addTask {
                    guard let request = await self.request(for: item.delivery) else { return nil }
                    if case .failed(let retry) = await self.sendWithRetries(request, label: item.delivery.label), retry { return item }
                    return nil
                }
            }
            var failed: [Queued] = []
            for await item in group { if let item { failed.append(item) } }
            return failed
        }
        guard !failed.isEmpty else { return }
        await withFolderLock {
            var queued = read([Queued].self, "outbox.json") ?? []
            queued = Array((queued + failed).sorted { $0.queuedAt < $1.queuedAt }.suffix(Self.outboxLimit))
            write(queued, "outbox.json")
        }
        logger.warning("notifications kept for the next pass", metadata: ["count": "\(failed.count)"])
    }

    struct Queued: Codable, Sendable, Hashable {
        var delivery: Delivery
        var queuedAt: Int64
    }

    /// The HTTP request of a delivery; nil when its sink is no longer configured.
    private func request(for delivery: Delivery) -> OutgoingRequest? {
        switch delivery {
        case .status(let status): return forge?.status(status)
        case .event(let name, let event):
            guard let sink = sinks[name] else { return nil }
            return SinkMessage.request(event, to: sink)
        }
    }

    enum Sent {
        case delivered([UInt8])
        /// Not delivered; `retry` when a later try may succeed (no answer, 5xx, 429, 408).
        case failed(retry: Bool)
    }

    /// Up to `tries` tries with backoff; each failure logged with `label` and the reason, never the URL.
    func sendWithRetries(_ request: OutgoingRequest, label: String) async -> Sent {
        var last = Sent.failed(retry: true)
        for attempt in 0..<Self.tries {
            if attempt > 0 { try? await Task.sleep(for: Self.backoff[min(attempt - 1, Self.backoff.count - 1)]) }
            let (sent, reason) = await send(request)
            last = sent
            switch sent {
            case .delivered: return sent
            case .failed(let retry):
                logger.warning("notification not delivered", metadata: ["to": "\(label)", "try": "\(attempt + 1)/\(Self.tries)",
                                                                        "reason": "\(reason)"])
                if !retry { return sent }
            }
        }
        return last
    }

    /// One try: the outcome and, when it failed, why in words that hold no URL and no token.
    private func send(_ outgoing: OutgoingRequest) async -> (Sent, String) {
        var request = HTTPClientRequest(url: outgoing.url)
        request.method = HTTPMethod(rawValue: outgoing.method)
        for (name, value) in outgoing.headers { request.headers.add(name: name, value: value) }
        if !outgoing.body.isEmpty { request.body = .bytes(ByteBuffer(bytes: outgoing.body)) }
        do {
            let response = try await OutboundHTTP.client.execute(request, deadline: .now() + .milliseconds(Self.perTry.wholeMilliseconds))
            let body = try await response.body.collect(upTo: 4 << 20)
            let code = Int(response.status.code)
            if (200..<300).contains(code) { return (.delivered(Array(buffer: body)), "") }
            return (.failed(retry: code >= 500 || code == 429 || code == 408), "HTTP \(code)")
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            return (.failed(retry: true), "no answer within \(Self.perTry.brief)")
        } catch {
            return (.failed(retry: true), "could not connect or the answer broke off (\(type(of: error)))")
        }
    }

    // MARK: The folder

    /// Runs `body` holding `<workdir>/notifications/lock` (flock: released when the process dies).
    private func withFolderLock<T>(_ body: () -> T) async -> T {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        let fd = open(folder + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return body() }
        defer { close(fd) }
        let deadline = ContinuousClock.now + .seconds(10)
        while flock(fd, LOCK_EX | LOCK_NB) != 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        defer { _ = flock(fd, LOCK_UN) }
        return body()
    }

    private func read<T: Decodable>(_ type: T.Type, _ name: String) -> T? {
        guard let data = FileManager.default.contents(atPath: folder + "/" + name) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    /// Replaced whole (`Workdir.replace`): a reader never sees half a file, a kill -9 leaves the old one.
    private func write<T: Encodable>(_ value: T, _ name: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { return }
        _ = Workdir.replace(folder + "/" + name, with: Array(data))
    }
}

/// The bodies of Slack messages and signed webhooks.
enum SinkMessage {
    static let signatureHeader = "X-Innominatus-Signature-256"

    static func request(_ event: NotificationEvent, to sink: Notifier.Sink) -> OutgoingRequest {
        var headers = [("Content-Type", "application/json"), ("User-Agent", "innominatus")]
        let body: [UInt8]
        switch sink.config.kind {
        case .slack:
            body = slack(event)
        case .webhook:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            body = Array((try? encoder.encode(event)) ?? Data())
            headers.append(("X-Innominatus-Event", event.event))
            if let secret = sink.secret { headers.append((signatureHeader, signature(of: body, secret: secret))) }
        }
        return OutgoingRequest(method: "POST", url: sink.url, headers: headers, body: body)
    }

    /// `sha256=<hex HMAC-SHA256 of the body>`, as GitHub signs its webhooks.
    static func signature(of body: [UInt8], secret: [UInt8]) -> String {
        "sha256=" + StateKey.hexHMAC(of: body, key: secret)
    }

    /// Slack's incoming-webhook JSON: the summary as `text` (notifications) and a section with the details.
    static func slack(_ event: NotificationEvent) -> [UInt8] {
        var lines = ["*\(escape(event.summary))*", "commit `\(event.commit.prefix(12))`"]
        if let approve = event.approve { lines.append("approve with `\(escape(approve))`") }
        if let log = event.log, !log.isEmpty { lines.append("```\n" + escape(log.joined(separator: "\n")) + "\n```") }
        let message: [String: Any] = [
            "text": event.summary,
            "blocks": [["type": "section", "text": ["type": "mrkdwn", "text": lines.joined(separator: "\n")]]],
        ]
        return Array((try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }

    /// Slack's three control characters in mrkdwn.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
