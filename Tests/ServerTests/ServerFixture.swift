import Foundation
import GitKit
import Logging
import NIOCore
import Reconciler
import ServiceLifecycle
@testable import Server
import Synchronization
import TestSupport

/// A platform repository (as in ReconcilerTests' LoopFixture: each step appends what ran to an events
/// file) and a real `innominatus serve` stack on 127.0.0.1, on a port the kernel picks.
final class ServerFixture: Sendable {
    let git: GitFixture
    let events: String
    let server: InnominatusServer
    let client: HTTPClient
    private let group: ServiceGroup
    private let listening: ChannelBox
    private let task: Task<Void, any Error>

    static let token = "test-api-token-5b1e"
    static let secret = "test-webhook-secret-9c2f"

    static let adminConfig = """
        workflowPolicies:
          allowedProductWorkflows: [ecommerce/database-setup]
          retry: {base: 1ms, cap: 1ms, attempts: 3}

        """

    static func workflow(_ kind: String, _ name: String, events: String, phase: String = "deployment",
                         product: String? = nil, owner: String? = nil) -> String {
        var text = "apiVersion: workflow.dev/v1\nkind: \(kind)\nmetadata:\n  name: \(name)\n  phase: \(phase)\n"
        if let product { text += "  product: \(product)\n" }
        if let owner { text += "  owner: \(owner)\n" }
        text += "spec:\n  steps:\n    - name: go\n      type: shell\n      run: 'echo \"$APP_NAME $TIER \(name)\" >> \(events)'\n"
        return text
    }

    static func score(_ name: String, product: String?) -> String {
        var text = "apiVersion: score.dev/v1b1\nmetadata:\n  name: \(name)\n"
        if let product { text += "  product: \(product)\n" }
        return text + "containers:\n  main:\n    image: nginx:1.27\n"
    }

    /// `listen` defaults to loopback with port 0; `token`/`secret` nil leave that part unconfigured; `repo`
    /// replaces the fixture's remote (e.g. by one that does not exist).
    init(listenHost: String = "127.0.0.1", token: String? = ServerFixture.token, secret: String? = ServerFixture.secret,
         interval: Duration = .seconds(3600), repo: String? = nil, idleTimeout: Duration = .seconds(30),
         headerTimeout: Duration = .seconds(10), maxConnections: Int = 512, logs: LogCapture? = nil) async throws {
        git = try GitFixture()
        events = git.root.appending("events.log")
        _ = FileManager.default.createFile(atPath: events, contents: nil, attributes: [.posixPermissions: 0o666])
        try git.commit([
            "README.md": "# platform\n",
            "policies/admin-config.yaml": Self.adminConfig,
            "workflows/platform/security-scan.yaml": Self.workflow("PlatformWorkflow", "security-scan", events: events,
                                                                   phase: "pre-deployment", owner: "platform-team"),
            "workflows/products/ecommerce/database-setup.yaml": Self.workflow("ProductWorkflow", "database-setup", events: events,
                                                                              product: "ecommerce", owner: "dba-team"),
            "workflows/products/ecommerce/rogue.yaml": Self.workflow("ProductWorkflow", "rogue", events: events,
                                                                     product: "ecommerce"),
            "apps/checkout/score.yaml": Self.score("checkout", product: "ecommerce"),
            "apps/checkout/workflows/deploy.yaml": Self.workflow("Workflow", "deploy", events: events),
            "apps/search/score.yaml": Self.score("search", product: nil),
        ], message: "initial platform repository")
        try git.push()
        let settings = ReconcileSettings(repo: repo ?? git.remote, workdir: git.root.appending("workdir"), helper: GitFixture.helper)
        var logger = logs.map { capture in Logger(label: "innominatus-test") { _ in capture.handler } }
            ?? Logger(label: "innominatus-test")
        logger.logLevel = .warning
        server = InnominatusServer(
            configuration: ServerConfiguration(reconcile: settings, listen: ListenAddress(host: listenHost, port: 0),
                                               interval: interval, apiToken: token.flatMap(Secret.init),
                                               webhookSecret: secret.flatMap(Secret.init), idleTimeout: idleTimeout,
                                               headerTimeout: headerTimeout, maxConnections: maxConnections),
            logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let box = ChannelBox()
        listening = box
        group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: server.services(onListening: { port in continuation.yield(port) },
                                      listening: { [box] channel in box.channel.withLock { $0 = channel } })
                .map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            logger: logger))
        task = Task { [group] in try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ServerError("the server did not start") }
        client = HTTPClient(base: "http://127.0.0.1:\(port)")
    }

    /// Graceful shutdown, as SIGTERM does it; waits for both services to end.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// Commits and pushes; returns the new head.
    @discardableResult
    func change(_ files: [String: String?], message: String = "change") throws -> String {
        let commit = try git.commit(files, message: message)
        try git.push()
        return commit
    }

    func ranEvents() throws -> [String] {
        try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Polls `condition` until it holds. A generous deadline guards against hangs; no test asserts on time.
    func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerError("gave up waiting: \(what)")
    }

    /// Waits until the first pass has finished (`/readyz` answers 200).
    func waitUntilReady() async throws {
        try await eventually("/readyz 200") { try await client.get("/readyz").status == 200 }
    }

    var authorization: [String: String] { ["Authorization": "Bearer \(Self.token)"] }

    var port: Int {
        URLComponents(string: client.base)?.port ?? 0
    }

    /// The listening socket, as Hummingbird runs it (tests fire events into its pipeline).
    var listeningChannel: (any Channel)? {
        listening.channel.withLock { $0 }
    }
}

/// Where the fixture keeps the listening channel once the server runs.
final class ChannelBox: Sendable {
    let channel = Mutex<(any Channel)?>(nil)
}

/// Log lines kept for a test to read (level and message), at warning and above as the fixture logs.
final class LogCapture: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
    }

    private let store = Mutex<[Line]>([])

    var lines: [Line] { store.withLock { $0 } }

    var handler: Handler { Handler(capture: self) }

    func append(_ line: Line) {
        store.withLock { $0.append(line) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .warning
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append(Line(level: event.level, message: "\(event.message)"))
        }
    }
}
