import ArgumentParser
import Foundation
import Logging
import ProcessSupport
import Reconciler
import Server
import Specs

/// `innominatus serve --repo ... [--workdir DIR] [--interval 30s] [--listen 127.0.0.1:8080]`: the loop, the
/// HTTP API, push webhooks and /metrics in one process. All logic is in the Server target.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Reconcile in a loop and serve the HTTP API, push webhooks and Prometheus metrics.",
        discussion: """
            A pass at start, then one every interval, or sooner when a push webhook (POST /hooks/git) or \
            POST /api/v1/reconcile wakes the loop. The API is described in openapi.yaml. The write API needs a \
            bearer token (--api-token-file or INNOMINATUS_API_TOKEN; without one it is disabled); on a listen \
            address that is not loopback the read API needs it too. Webhooks need a shared secret \
            (--webhook-secret-file or INNOMINATUS_WEBHOOK_SECRET; without one /hooks/git answers 404). \
            SIGTERM or SIGINT stops the server and the loop cleanly.
            """)

    @OptionGroup var remote: RemoteOptions

    @Option(help: "Time between passes: 500ms, 90s, 10m, 1h.")
    var interval: String = "30s"

    @Option(help: "The address to listen on, HOST:PORT.")
    var listen: String = "127.0.0.1:8080"

    @Option(help: "A file holding the API bearer token (else INNOMINATUS_API_TOKEN).")
    var apiTokenFile: String?

    @Option(help: "A file holding the webhook shared secret (else INNOMINATUS_WEBHOOK_SECRET).")
    var webhookSecretFile: String?

    @Option(help: "Apps executed at once.")
    var concurrency: Int = 2

    @Option(help: ArgumentHelp(
        "Close a connection whose request head is not complete this long after its first byte: 500ms, 10s, 1m.",
        discussion: "It is answered 408, even if it keeps sending a byte now and then. A connection that sends nothing "
            + "is closed after 30 s idle."))
    var headerTimeout: String = "10s"

    @Option(help: ArgumentHelp(
        "The most HTTP connections served at once; one more is closed as soon as it is accepted.",
        discussion: "Counted in /metrics (innominatus_http_connections_rejected_total). Lowered, with a warning, when "
            + "the descriptor limit (ulimit -n) would leave fewer than max(40, a quarter of it) descriptors free beside those "
            + "open at start: at its limit the process cannot open a file, and the runtime aborts."))
    var maxConnections: Int = 512

    @Option(help: ArgumentHelp("The server's address as people reach it (https://innominatus.example.com): commit statuses link there.",
                               valueName: "URL"))
    var publicURL: String?

    @OptionGroup var log: LogOptions
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var notify: NotificationOptions
    @OptionGroup var trust: TrustOptions
    @OptionGroup var signing: SigningOptions

    func validate() throws {
        guard SpecDuration(parsing: interval) != nil else { throw ValidationError("--interval \(interval): write e.g. 30s, 5m or 1h") }
        guard ListenAddress(parsing: listen) != nil else { throw ValidationError("--listen \(listen): write HOST:PORT, e.g. 127.0.0.1:8080") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard let header = SpecDuration(parsing: headerTimeout), header.duration > .zero else {
            throw ValidationError("--header-timeout \(headerTimeout): write a positive time, e.g. 10s or 500ms")
        }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        if let publicURL, !(publicURL.hasPrefix("https://") || publicURL.hasPrefix("http://")) || URL(string: publicURL)?.host == nil {
            throw ValidationError("--public-url \(publicURL): write an http:// or https:// URL, e.g. https://innominatus.example.com")
        }
    }

    func run() async throws {
        log.bootstrap()
        var configured = try await signing.apply(to: trust.apply(to: execution.apply(to: remote.settings(appConcurrency: concurrency))))
        configured.notifier = try notify.notifier(workdir: configured.workdir, publicURL: publicURL)
        let settings = configured
        let configuration: ServerConfiguration
        do {
            configuration = ServerConfiguration(
                reconcile: settings, listen: ListenAddress(parsing: listen)!, interval: SpecDuration(parsing: interval)!.duration,
                apiToken: try Secret.load(file: apiTokenFile, environment: "INNOMINATUS_API_TOKEN"),
                webhookSecret: try Secret.load(file: webhookSecretFile, environment: "INNOMINATUS_WEBHOOK_SECRET"),
                headerTimeout: SpecDuration(parsing: headerTimeout)!.duration, maxConnections: maxConnections)
        } catch {
            throw CleanFailure("\(error)")
        }
        if !configuration.listen.isLoopback, configuration.apiToken == nil {
            let warning = "listening on \(listen), which is not loopback, with no API token: the read API and the "
                + "write API answer 403 to everyone (only /healthz and /readyz answer); set --api-token-file or INNOMINATUS_API_TOKEN"
            Logger(label: "innominatus.serve").warning("\(warning)")
        }
        let server = InnominatusServer(configuration: configuration)
        try await server.run { port in
            // Written unbuffered, so that a supervisor reading a pipe sees it at once.
            let line = "innominatus serve: listening on \(configuration.listen.host):\(port), watching \(settings.branch) of \(remote.repo)\n"
            StandardStream.output.write(line)
        }
    }
}
