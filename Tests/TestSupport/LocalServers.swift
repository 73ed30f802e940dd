import Foundation

/// A TCP port on 127.0.0.1 that nothing listens on right now.
public func freeLocalPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A TCP connection to 127.0.0.1:`port` (blocking connect), or -1.
public func connectLocal(_ port: Int) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return -1 }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
    guard connected else {
        close(fd)
        return -1
    }
    return fd
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port`.
public func waitForPort(_ port: Int, timeout: TimeInterval = 15) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let fd = connectLocal(port)
        if fd >= 0 {
            close(fd)
            return
        }
        usleep(50_000)
    }
    throw POSIXError(.ETIMEDOUT)
}

/// `git daemon` serving a folder of bare repositories on 127.0.0.1, pushes allowed: a real transport,
/// where the server (not the client) applies ref updates with compare-and-swap.
public final class GitDaemon: Sendable {
    public let port: Int
    private let process: Shell.Background

    /// Starts the daemon on a free port; when another process takes that port first (tests run in
    /// parallel), it tries again with another.
    public init(basePath: String) throws {
        for attempt in 1...5 {
            let port = try freeLocalPort()
            let process = try Shell.start([
                "git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack", "--informative-errors",
                "--listen=127.0.0.1", "--port=\(port)", "--base-path=\(basePath)", basePath,
            ], log: basePath + "/git-daemon.log")
            if try Self.waitUntilListening(port, process: process) {
                self.port = port
                self.process = process
                return
            }
            process.stop()
            if attempt == 5 { break }
        }
        throw POSIXError(.EADDRINUSE)
    }

    /// True once the port accepts connections; false when the daemon exited (its port was taken).
    private static func waitUntilListening(_ port: Int, process: Shell.Background) throws -> Bool {
        for _ in 0..<600 {
            if (try? waitForPort(port, timeout: 0.05)) != nil { return true }
            if !process.isRunning { return false }
        }
        throw POSIXError(.ETIMEDOUT)
    }

    /// The git:// URL of a repository under the base path.
    public func url(_ name: String) -> String { "git://127.0.0.1:\(port)/\(name)" }

    deinit { process.stop() }
}

/// A TCP listener on 127.0.0.1 that accepts connections (the kernel completes the handshake) and
/// never answers: a remote that hangs, or simply a port that is open.
public final class SilentServer: Sendable {
    public let port: Int
    private let fd: Int32

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard ok else { close(fd); throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

/// Debian's OpenSSH server on 127.0.0.1, for this user only, with a throw-away host key and client key
/// (installed with apt-get when missing: tests install what they need).
public final class SSHServer: Sendable {
    public let port: Int
    public let directory: String
    /// The client's private key (its public half is the only authorized key).
    public let clientKey: String
    /// A known_hosts file that lists this server's host key as `[127.0.0.1]:port`.
    public let knownHosts: String
    /// The server's public host key line (`ssh-ed25519 AAAA...`).
    public let hostPublicKey: String
    private let process: Shell.Background

    public init(directory: String) throws {
        if !FileManager.default.fileExists(atPath: "/usr/sbin/sshd") {
            try Shell.run(["apt-get", "install", "-y", "-q", "openssh-server"], environment: ["DEBIAN_FRONTEND": "noninteractive"])
        }
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        self.directory = directory
        let hostKey = directory + "/host_ed25519"
        clientKey = directory + "/client_ed25519"
        knownHosts = directory + "/known_hosts"
        try Shell.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey])
        try Shell.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey])
        try FileManager.default.copyItem(atPath: clientKey + ".pub", toPath: directory + "/authorized_keys")
        let publicHost = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8).split(separator: " ")
        hostPublicKey = "\(publicHost[0]) \(publicHost[1])"
        // A free port may be taken by a parallel test before sshd binds it: try another then.
        var started: (Int, Shell.Background)?
        for _ in 1...5 where started == nil {
            let port = try freeLocalPort()
            let config = """
                Port \(port)
                ListenAddress 127.0.0.1
                HostKey \(hostKey)
                PidFile \(directory)/sshd.pid
                AuthorizedKeysFile \(directory)/authorized_keys
                PermitRootLogin prohibit-password
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                LogLevel VERBOSE

                """
            try config.write(toFile: directory + "/sshd_config", atomically: true, encoding: .utf8)
            let process = try Shell.start(["/usr/sbin/sshd", "-D", "-e", "-f", directory + "/sshd_config"],
                                          log: directory + "/sshd.log")
            var listening = false
            for _ in 0..<600 {
                if (try? waitForPort(port, timeout: 0.05)) != nil { listening = true; break }
                if !process.isRunning { break }
            }
            if listening { started = (port, process) } else { process.stop() }
        }
        guard let (port, process) = started else { throw POSIXError(.EADDRINUSE) }
        self.port = port
        self.process = process
        try "[127.0.0.1]:\(port) \(hostPublicKey)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
    }

    /// The login of the user running the tests.
    public static var user: String { String(cString: getpwuid(getuid()).pointee.pw_name) }

    /// An ssh:// URL of a repository path on this machine.
    public func url(_ path: String) -> String { "ssh://\(Self.user)@127.0.0.1:\(port)\(path)" }

    deinit { process.stop() }
}
