import Hummingbird
import Logging
import NIOCore
import Reconciler
import ServiceLifecycle
import UnixSignals

/// `innominatus serve`: the reconcile loop and the HTTP server, two `Service`s in one `ServiceGroup`.
/// SIGTERM/SIGINT shut both down gracefully: the server stops accepting and finishes its requests, the
/// loop's running pass is cancelled (steps recorded as interrupted).
public struct InnominatusServer: Sendable {
    public let configuration: ServerConfiguration
    public let metrics: ServerMetrics
    let alarm = LoopAlarm()
    let health = LoopHealth()
    /// The end of each pass, for the status pages' live update.
    let events = LiveUpdates()
    let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "innominatus")) {
        self.configuration = configuration
        self.metrics = ServerMetrics()
        self.logger = logger
    }

    /// The loop, the HTTP server and the pages' event stream; `onListening` receives the bound port (useful
    /// with port 0).
    public func services(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        services(onListening: onListening, listening: { _ in })
    }

    /// As above; `listening` also receives the listening socket's channel (tests fire events into it).
    func services(onListening: @escaping @Sendable (Int) async -> Void,
                  listening: @escaping @Sendable (any Channel) -> Void) -> [any Service] {
        // Made before the loop and the read API start, which both use it (a failure is the loop's to report).
        _ = try? StateKey.load(file: configuration.reconcile.stateKeyFile, workdir: configuration.reconcile.workdir)
        let api = ServerAPI(configuration: configuration, alarm: alarm, health: health, metrics: metrics, logger: logger,
                            events: events)
        let maxConnections = connectionLimit()
        metrics.setConnectionLimit(maxConnections)
        let (metrics, logger, headerTimeout) = (metrics, logger, configuration.headerTimeout)
        let application = Application(
            router: api.router(),
            server: .http1(configuration: .init(
                additionalChannelHandlers: [HeaderDeadlineHandler(timeout: headerTimeout, metrics: metrics, logger: logger)],
                idleTimeout: Self.timeAmount(configuration.idleTimeout))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.listen.host, port: configuration.listen.port), serverName: "innominatus"),
            onServerRunning: { channel in
                // First in the listening socket's pipeline, before Hummingbird sets a connection up, and
                // before the port is announced, so every connection a client can make is counted.
                do {
                    try await channel.eventLoop.submit {
                        try channel.pipeline.syncOperations.addHandler(
                            ConnectionLimitHandler(limit: maxConnections, metrics: metrics, logger: logger), position: .first)
                    }.get()
                } catch {
                    logger.error("cannot install the connection limit on the listening socket: \(error)")
                }
                listening(channel)
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger)
        let loop = ReconcileLoopService(reconciler: PlatformReconciler(settings: configuration.reconcile),
                                        interval: configuration.interval, maxBackoff: .seconds(600), alarm: alarm,
                                        health: health, metrics: metrics, events: events, logger: logger)
        // Last, so that it stops first: its streams would hold the server's graceful shutdown open.
        return [loop, application, LiveUpdatesService(events: events, heartbeat: .seconds(15))]
    }

    /// `maxConnections`, lowered (with a warning) when the descriptor limit would not leave the loop and
    /// the runtime descriptors of their own.
    func connectionLimit(budget: DescriptorBudget = .current) -> Int {
        let limit = budget.connections(requested: configuration.maxConnections)
        if limit < configuration.maxConnections, let descriptors = budget.limit {
            let text = "serving at most \(limit) connections, not --max-connections \(configuration.maxConnections): the "
                + "descriptor limit is \(descriptors) (ulimit -n), \(budget.open) are open and \(budget.reserve) are kept for "
                + "the loop; raise ulimit -n to serve more"
            logger.warning("\(text)")
        }
        return limit
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// Runs until SIGTERM or SIGINT.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services(onListening: onListening).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
