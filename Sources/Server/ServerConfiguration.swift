import Foundation
import Reconciler

/// What `innominatus serve` needs beyond the reconcile settings: where to listen, how often to poll,
/// and the two secrets (API token, webhook secret). Secrets are `Secret` values, which never print.
public struct ServerConfiguration: Sendable {
    public var reconcile: ReconcileSettings
    public var listen: ListenAddress
    public var interval: Duration
    /// Bearer token for the write API (and for the read API when `listen` is not loopback); nil disables
    /// the write API rather than opening it.
    public var apiToken: Secret?
    /// Shared secret of the push webhooks; nil answers 404 on `/hooks/git`.
    public var webhookSecret: Secret?
    /// The largest request body read; a larger one is refused with 413 (Score and workflow files are
    /// limited to 1 MiB by the validator, push payloads of the forges stay well under this).
    public var maxBodyBytes: Int
    /// A connection that sends nothing for this long is closed, a half-sent request included, so idle or
    /// stalled clients cannot hold the server's descriptors (and starve `/healthz`).
    public var idleTimeout: Duration
    /// A request head must arrive whole within this long of its first byte, or the connection is answered
    /// 408 and closed. The idle
    /// timeout alone does not bound a client that trickles one header byte every few seconds.
    public var headerTimeout: Duration
    /// The most connections served at once; one more is closed as soon as it is accepted (and counted in
    /// `/metrics`). The server lowers it when the descriptor limit (`ulimit -n`) would not leave the loop
    /// descriptors of its own, since a pass needs them for git, logs and step pipes.
    public var maxConnections: Int

    public init(reconcile: ReconcileSettings, listen: ListenAddress = .init(host: "127.0.0.1", port: 8080),
                interval: Duration = .seconds(30), apiToken: Secret? = nil, webhookSecret: Secret? = nil,
                maxBodyBytes: Int = 4 << 20, idleTimeout: Duration = .seconds(30), headerTimeout: Duration = .seconds(10),
                maxConnections: Int = 512) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.maxConnections = maxConnections
        self.reconcile = reconcile
        self.listen = listen
        self.interval = interval
        self.apiToken = apiToken
        self.webhookSecret = webhookSecret
        self.maxBodyBytes = maxBodyBytes
    }

    /// Where the read API keeps its own clone (`<workdir>/api`), so that answering a request never
    /// touches the cache the loop is fetching into or holds the loop's workdir lock.
    var readSettings: ReconcileSettings {
        var settings = reconcile
        settings.workdir = reconcile.workdir + "/api"
        // The loop's state key: the read API must verify the applied state the loop wrote.
        settings.stateKeyFile = reconcile.stateKeyFile ?? reconcile.workdir + "/" + StateKey.defaultName
        return settings
    }
}

/// `HOST:PORT` of `--listen`; port 0 picks a free port (tests).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `127.0.0.1:8080`, `[::1]:8080` or `:8080` (all interfaces).
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    /// Only loopback listeners serve the read API without a token.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A token or shared secret: compared in constant time, never printed (its description is redacted, so
/// a log line or an error that interpolates it shows nothing).
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let bytes: [UInt8]

    /// Trailing newlines (as `echo > file` leaves them) are not part of the secret.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        bytes = Array(trimmed.utf8)
    }

    /// Reads a secret from `--…-file PATH`, or else from the environment variable.
    public static func load(file: String?, environment variable: String) throws -> Secret? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ServerError("cannot read the secret file \(file); check the path and its permissions")
            }
            guard let secret = Secret(String(decoding: data, as: UTF8.self)) else {
                throw ServerError("the secret file \(file) is empty; write the token in it")
            }
            return secret
        }
        return ProcessInfo.processInfo.environment[variable].flatMap(Secret.init)
    }

    /// Constant time in the length of `candidate`'s comparison with the secret: no early exit on the first
    /// differing byte, so response times do not reveal a prefix.
    public func matches(_ candidate: some Collection<UInt8>) -> Bool {
        ConstantTime.equal(bytes, Array(candidate))
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// Byte comparison whose time depends only on the lengths.
enum ConstantTime {
    static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        let count = max(lhs.count, rhs.count)
        for index in 0..<count {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}

/// A server setup error, with what to do about it.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
