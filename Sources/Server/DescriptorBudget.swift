import Foundation

/// How many of the process's file descriptors the HTTP server may spend on connections.
///
/// Running out of descriptors is not a slowdown: every `open` fails at once — git's pack files, the
/// workdir lock, step pipes — and libdispatch's worker monitor, which reads `/proc/<tid>/stat` each
/// second, traps (SIGILL) when its `open` fails. So connections must never be able to take the last
/// descriptors: the server keeps `reserve` of them for the loop and the runtime and serves at most
/// what is left, however high `--max-connections` is.
public struct DescriptorBudget: Sendable, Equatable {
    /// The soft `RLIMIT_NOFILE` (`ulimit -n`); nil when it cannot be read or is unlimited.
    public var limit: Int?
    /// Descriptors open when the server starts (the runtime's, the listening socket, inherited ones).
    public var open: Int
    /// Descriptors kept free on top of those for the loop: a running `serve` held about 16 at rest and
    /// peaked at 44 in a pass with steps and read requests at once.
    public var reserve: Int
    /// Never fewer than this many connections, whatever the limit (a server that serves no one is no
    /// better than one that is short of descriptors now and then).
    public static let minimumConnections = 4

    public init(limit: Int?, open: Int) {
        self.limit = limit
        self.open = open
        reserve = max(40, (limit ?? 0) / 4)
    }

    /// The process's own limit.
    public static var current: DescriptorBudget {
        DescriptorBudget(limit: limit, open: openCount() ?? 0)
    }

    /// `requested`, lowered so that `reserve` descriptors stay free beside those open now.
    public func connections(requested: Int) -> Int {
        guard let limit else { return requested }
        return min(requested, max(Self.minimumConnections, limit - open - reserve))
    }

    /// The process's descriptor limit, without counting what is open.
    public static var limit: Int? {
        var limits = rlimit()
        // RLIM_INFINITY is all ones, past Int.max: the second test also rules it out.
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0,
              limits.rlim_cur < rlim_t(Int.max) else { return nil }
        return Int(limits.rlim_cur)
    }

    /// Descriptors open now (counted in `/proc/self/fd`, or by probing each number when that folder
    /// cannot be opened — which is the case exactly when none are left).
    public static func openCount() -> Int? {
        if let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            return max(0, names.count - 1)  // less the descriptor that listed the folder
        }
        guard let limit, limit <= 1 << 16 else { return nil }
        return (0..<Int32(limit)).reduce(0) { $0 + (fcntl($1, F_GETFD) >= 0 ? 1 : 0) }
    }

    /// "N of M file descriptors open", for log lines.
    public static func usage() -> String {
        let open = openCount().map(String.init) ?? "?"
        let limit = Self.limit.map(String.init) ?? "unlimited"
        return "\(open) of \(limit) file descriptors open"
    }
}
