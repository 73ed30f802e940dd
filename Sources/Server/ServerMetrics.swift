import Foundation
import Prometheus
import Reconciler
import Specs

/// The Prometheus metrics of one server, in its own registry (not the process-wide swift-metrics
/// bootstrap, so several servers — tests — never share counters). `GET /metrics` emits the registry.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let passDuration: DurationHistogram
    private let webhookToPass: DurationHistogram
    private let blockedWorkflows: Gauge
    private let lastSuccess: Gauge
    private let openConnections: Gauge
    private let connectionLimit: Gauge
    private let openDescriptors: Gauge
    private let descriptorLimit: Gauge

    static let passBuckets: [Duration] = [.milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15),
                                          .seconds(60), .seconds(300), .seconds(900), .seconds(3600)]
    static let wakeBuckets: [Duration] = [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                          .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(120)]

    public init() {
        passDuration = registry.makeDurationHistogram(
            descriptor: Self.name("pass_duration", "seconds", "Duration of reconcile passes, from start to recorded status."),
            buckets: Self.passBuckets)
        webhookToPass = registry.makeDurationHistogram(
            descriptor: Self.name("webhook_to_pass_start", "seconds",
                                  "Time from a push webhook waking the loop to the start of the pass that answers it."),
            buckets: Self.wakeBuckets)
        blockedWorkflows = registry.makeGauge(
            descriptor: Self.name("blocked_workflows", "", "Workflows listed as blocked in the last recorded pass."))
        lastSuccess = registry.makeGauge(
            descriptor: Self.name("last_successful_pass_timestamp", "seconds",
                                  "Unix time of the last pass that succeeded or had nothing to do."))
        openConnections = registry.makeGauge(
            descriptor: Self.name("http_connections", "", "HTTP connections open now."))
        connectionLimit = registry.makeGauge(
            descriptor: Self.name("http_connections_limit", "",
                                  "The most HTTP connections served at once (--max-connections, lowered to fit ulimit -n)."))
        openDescriptors = registry.makeGauge(
            descriptor: Self.name("open_file_descriptors", "", "File descriptors the process has open, at the last scrape."))
        descriptorLimit = registry.makeGauge(
            descriptor: Self.name("file_descriptor_limit", "", "The process's descriptor limit (soft RLIMIT_NOFILE, ulimit -n)."))
        // Zero from the start, so that a rate() over them works before the first event.
        _ = rejectedConnections
        _ = headerTimeouts
    }

    /// `innominatus_<metric>_<unit>`, with its help line.
    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "innominatus", metricName: metric, unitName: unit, helpText: help)
    }

    /// The `result` label of a pass: the status result when a note was written, else why not.
    static func passResult(_ report: PassReport) -> String {
        switch report.kind {
        case .nothingToDo: return "nothing-to-do"
        case .busy: return "busy"
        case .couldNotStart: return "could-not-start"
        case .ran: return report.wroteNote ? (report.status?.result.rawValue ?? "failed") : "not-recorded"
        }
    }

    func recordPass(_ report: PassReport, duration: Duration, finishedAt: Date) {
        let result = Self.passResult(report)
        registry.makeCounter(descriptor: Self.name("passes", "total", "Reconcile passes by result."),
                             labels: [("result", result)]).increment()
        passDuration.record(duration)
        if report.stateRejected {
            registry.makeCounter(descriptor: Self.name("applied_state_rejected", "total",
                                                       "Passes that ignored a stored applied state failing verification."),
                                 labels: []).increment()
        }
        if result == "nothing-to-do" || result == "succeeded" || result == "noop" {
            lastSuccess.set(finishedAt.timeIntervalSince1970)
        }
        guard let status = report.status else { return }
        var blocked = 0
        for app in status.apps.values {
            for (tier, pair) in app.tiers {
                blocked += pair.blocked?.count ?? 0
                guard pair.action == .run || pair.action == .prune else { continue }
                registry.makeCounter(descriptor: Self.name("tier_runs", "total", "(app, tier) pairs run, by tier and result."),
                                     labels: [("tier", tier.rawValue), ("result", pair.result.rawValue)]).increment()
                for workflow in pair.workflows ?? [] {
                    for step in workflow.steps {
                        registry.makeCounter(descriptor: Self.name("steps", "total", "Steps executed, by result."),
                                             labels: [("result", step.result)]).increment()
                    }
                }
            }
        }
        blockedWorkflows.set(Double(blocked))
    }

    func recordWebhookWake(_ elapsed: Duration) {
        webhookToPass.record(elapsed)
    }

    func recordWebhook(_ outcome: String) {
        registry.makeCounter(descriptor: Self.name("webhooks", "total", "Push webhooks received, by outcome."),
                             labels: [("outcome", outcome)]).increment()
    }

    private var rejectedConnections: Counter {
        registry.makeCounter(descriptor: Self.name("http_connections_rejected", "total",
                                                   "Connections closed as soon as accepted: the server was at its connection limit."))
    }

    private var headerTimeouts: Counter {
        registry.makeCounter(descriptor: Self.name("http_header_timeouts", "total",
                                                   "Connections answered 408 and closed: no complete request head within --header-timeout."))
    }

    func recordRejectedConnection() {
        rejectedConnections.increment()
    }

    func recordHeaderTimeout() {
        headerTimeouts.increment()
    }

    func setOpenConnections(_ count: Int) {
        openConnections.set(Double(count))
    }

    func setConnectionLimit(_ limit: Int) {
        connectionLimit.set(Double(limit))
    }

    /// `where`: `accept` (the listening socket could not take a connection) or `pass` (a pass was
    /// skipped while the process had none left).
    func recordOutOfDescriptors(where place: String) {
        registry.makeCounter(descriptor: Self.name("out_of_file_descriptors", "total",
                                                   "Times the process found itself out of file descriptors, by where."),
                             labels: [("where", place)]).increment()
    }

    /// Prometheus text exposition format 0.0.4.
    public func text() -> String {
        if let open = DescriptorBudget.openCount() { openDescriptors.set(Double(open)) }
        if let limit = DescriptorBudget.limit { descriptorLimit.set(Double(limit)) }
        return registry.emitToString()
    }
}
