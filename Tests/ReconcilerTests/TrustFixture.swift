import Foundation
import GitKit
import Planner
import Reconciler
import TestSupport

/// A `LoopFixture` whose commits are signed with keys made for the test: SSH keys by `ssh-keygen`,
/// OpenPGP keys by `gpg --quick-gen-key` in a private GNUPGHOME; commits signed by the git CLI
/// (`gpg.format ssh` or `openpgp`), as a developer's git would.
final class TrustFixture {
    let loop: LoopFixture
    let keys: TemporaryDirectory
    let platform: SSHKey
    let ecommerce: SSHKey
    /// A key no trust file lists.
    let mallory: SSHKey
    /// GNUPGHOME, once an OpenPGP key was made.
    private(set) var gnupg: String?

    struct SSHKey {
        /// The private key file (what `user.signingkey` names).
        var file: String
        /// The public key line.
        var line: String
    }

    struct OpenPGPKey {
        var fingerprint: String
        /// The armored public key, exported.
        var file: String
    }

    init() throws {
        loop = try LoopFixture()
        keys = try TemporaryDirectory("trustkeys")
        chmod(keys.path, 0o700)
        platform = try Self.sshKey("platform", in: keys)
        ecommerce = try Self.sshKey("ecommerce", in: keys)
        mallory = try Self.sshKey("mallory", in: keys)
    }

    deinit {
        if let gnupg { _ = try? Shell.execute(["gpgconf", "--kill", "all"], environment: ["GNUPGHOME": gnupg]) }
    }

    static func sshKey(_ name: String, in folder: TemporaryDirectory) throws -> SSHKey {
        let file = folder.appending(name)
        try Shell.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "\(name)@example.com", "-f", file])
        let line = try String(contentsOfFile: file + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return SSHKey(file: file, line: line)
    }

    /// The `SHA256:…` fingerprint `ssh-keygen -l` gives the key.
    func fingerprint(_ key: SSHKey) throws -> String {
        String(try Shell.run(["ssh-keygen", "-l", "-f", key.file + ".pub"]).split(separator: " ")[1])
    }

    /// A new OpenPGP signing key (no passphrase); `fakedTime` makes it in the past (`--faked-system-time`),
    /// `expire` as gpg writes it (`1y`, `1d`).
    func openPGPKey(_ name: String, expire: String = "1y", fakedTime: String? = nil) throws -> OpenPGPKey {
        let home: String
        if let gnupg { home = gnupg } else {
            home = keys.appending("gnupg")
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            gnupg = home
        }
        let environment = ["GNUPGHOME": home]
        let time = fakedTime.map { ["--faked-system-time", $0] } ?? []
        try Shell.run(["gpg", "--batch", "--passphrase", ""] + time + ["--quick-gen-key", "\(name) <\(name)@example.com>", "ed25519", "sign", expire],
                      environment: environment)
        let listing = try Shell.run(["gpg", "--batch", "--with-colons", "--list-keys", "\(name)@example.com"], environment: environment)
        let fingerprint = try require_(listing.split(separator: "\n").first { $0.hasPrefix("fpr:") }?.split(separator: ":", omittingEmptySubsequences: false)[9])
        let file = keys.appending("\(name).asc")
        let armored = try Shell.run(["gpg", "--batch", "--armor", "--export", String(fingerprint)], environment: environment)
        try armored.write(toFile: file, atomically: true, encoding: .utf8)
        return OpenPGPKey(fingerprint: String(fingerprint), file: file)
    }

    enum Signing {
        case unsigned
        case ssh(SSHKey)
        case openpgp(OpenPGPKey)
    }

    /// Writes `files` (nil deletes), commits them signed as asked, pushes to `branch`, and returns the commit.
    @discardableResult
    func commit(_ files: [String: String?], message: String = "change", seal: String? = nil, signing: Signing,
                branch: String = "main") throws -> String {
        for (path, content) in files {
            let full = loop.git.work + "/" + path
            if let content {
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try content.write(toFile: full, atomically: false, encoding: .utf8)
            } else {
                try loop.git.git("rm", "-q", "-r", "--", path)
            }
        }
        try loop.git.git("add", "-A")
        var arguments = ["git"]
        var environment: [String: String] = [:]
        switch signing {
        case .unsigned: arguments += ["-c", "commit.gpgsign=false"]
        case .ssh(let key): arguments += ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key.file)"]
        case .openpgp(let key):
            arguments += ["-c", "gpg.format=openpgp", "-c", "user.signingkey=\(key.fingerprint)"]
            environment["GNUPGHOME"] = gnupg
        }
        arguments += ["commit", "-q", "--allow-empty", "-m", message]
        if let seal { arguments += ["-m", "\(TrustFixture.sealTrailer): \(seal)"] }
        if case .unsigned = signing {} else { arguments.append("-S") }
        try Shell.run(arguments, in: loop.git.work, environment: environment)
        try loop.git.push(branch: branch)
        return try loop.git.git("rev-parse", "HEAD")
    }

    static let sealTrailer = "Innominatus-Seal"

    /// A trust file with the rules of the product design's example: the platform team owns policies,
    /// platform workflows and provisioners; the ecommerce team may also sign its own product workflows
    /// and anything else.
    func trustFile(mode: String, platform platformKeys: [String]? = nil, ecommerce ecommerceKeys: [String]? = nil,
                   name: String = "trust.yaml") throws -> String {
        func list(_ keys: [String]) -> String { keys.map { "    - \($0)\n" }.joined() }
        let text = """
            mode: \(mode)
            signers:
              platform-team:
            \(list(platformKeys ?? ["\"\(platform.line)\""]))  ecommerce-team:
            \(list(ecommerceKeys ?? ["\"\(ecommerce.line)\""]))rules:
              - paths: ["policies/**", "workflows/platform/**", "provisioners/**"]
                signers: [platform-team]
              - paths: ["workflows/products/ecommerce/**"]
                signers: [platform-team, ecommerce-team]
              - paths: ["**"]
                signers: [platform-team, ecommerce-team]

            """
        let path = keys.appending(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func settings(trust file: String) async throws -> ReconcileSettings {
        var settings = loop.settings()
        settings.trust = try await TrustSettings.load(file: file)
        return settings
    }

    func reconcile(trust file: String) async throws -> PassReport {
        await PlatformReconciler(settings: try await settings(trust: file)).reconcileOnce()
    }

    /// The commit the remote's applied state names (read without any trust file).
    func appliedCommit() async throws -> String? {
        var loader = DesiredStateLoader()
        return try await loop.settings().planning.run(now: .now, loader: &loader).applied.commit
    }
}

/// `#require` for fixture code outside a test function.
private func require_<T>(_ value: T?) throws -> T {
    guard let value else { throw FixtureFailure() }
    return value
}

private struct FixtureFailure: Error {}
