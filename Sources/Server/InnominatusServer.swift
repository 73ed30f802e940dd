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
    let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "innominatus")) {
        self.configuration = configuration
        self.metrics = ServerMetrics()
        self.logger = logger
    }

    /// The loop and the HTTP server; `onListening` receives the bound port (useful with port 0).
    public func services(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        // Made before the loop and the read API start, which both use it (a failure is the loop's to report).
        _ = try? StateKey.load(file: configuration.reconcile.stateKeyFile, workdir: configuration.reconcile.workdir)
        let api = ServerAPI(configuration: configuration, alarm: alarm, health: health, metrics: metrics, logger: logger)
        let application = Application(
            router: api.router(),
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(Int64(configuration.idleTimeout.components.seconds) * 1_000_000_000
                + configuration.idleTimeout.components.attoseconds / 1_000_000_000))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.listen.host, port: configuration.listen.port), serverName: "innominatus"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        let loop = ReconcileLoopService(reconciler: PlatformReconciler(settings: configuration.reconcile),
                                        interval: configuration.interval, maxBackoff: .seconds(600), alarm: alarm,
                                        health: health, metrics: metrics, logger: logger)
        return [loop, application]
    }

    /// Runs until SIGTERM or SIGINT.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services(onListening: onListening).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
