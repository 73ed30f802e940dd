import Crypto
import Foundation
import Planner
import Specs

/// `--trust FILE` read and checked at start (docs/ARCHITECTURE.md §9, trust): the policy, and every key
/// it lists checked by the standard tools — an SSH key line by `ssh-keygen -l`, an OpenPGP key file by
/// `gpg --show-keys` (malformed, expired, revoked or secret keys are refused, naming the key) and made a
/// binary keyring for `gpgv` by `gpg --dearmor`. Any problem fails the start with file:line:column.
public struct TrustSettings: Sendable {
    public var policy: TrustPolicy
    /// One entry per distinct SSH key: the line (`type base64`) and the signers that list it.
    var sshKeys: [SSHKey]
    var openPGPKeys: [OpenPGPKey]
    /// 16 hex digits of SHA-256 over the trust file and its key files: a refused head is checked again
    /// when this changes (a key added), not only when the branch moves.
    public var digest: String
    /// Signers found per commit id, for the life of the process: a signature never changes, and a pass
    /// verifies its head twice (before the lease and under it).
    let known = KnownSigners()

    struct SSHKey: Sendable, Hashable {
        /// `ssh-ed25519 AAAA…`, without the comment.
        var key: String
        var signers: [String]
        /// `SHA256:…` as `ssh-keygen -l` prints it.
        var fingerprint: String
    }

    struct OpenPGPKey: Sendable, Hashable {
        var file: String
        var signers: [String]
        /// Primary key fingerprints (what `gpgv`'s VALIDSIG names last).
        var fingerprints: [String]
        /// The binary keyring `gpgv --keyring` reads.
        var keyring: [UInt8]
    }

    /// Why the trust file cannot be used: every problem, each with file:line:column.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var diagnostics: [SpecDiagnostic]
        public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
    }

    /// The signers an OpenPGP primary key fingerprint belongs to.
    func signers(ofOpenPGP fingerprint: String) -> [String] {
        Array(Set(openPGPKeys.filter { $0.fingerprints.contains(fingerprint.uppercased()) }.flatMap(\.signers))).sorted()
    }

    /// `allowed_signers` for `ssh-keygen -Y`: one line per key, its signers as the principals, namespace git.
    var allowedSigners: String {
        sshKeys.map { "\($0.signers.joined(separator: ",")) namespaces=\"git\" \($0.key)\n" }.joined()
    }

    /// Reads and checks the trust file at `path`.
    public static func load(file path: String) async throws(Failure) -> TrustSettings {
        func failure(_ location: SourceLocation, _ field: String, _ message: String) -> Failure {
            Failure(diagnostics: [SpecDiagnostic(file: path, at: location, field: field, message: message)])
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw failure(.start, "", "cannot read the trust file: \(error.localizedDescription); pass --trust with a readable file")
        }
        let bytes = Array(data)
        let decoded = TrustPolicy.decode(bytes, file: path)
        guard let policy = decoded.policy else {
            throw Failure(diagnostics: decoded.diagnostics.filter { $0.severity == .error })
        }
        let scratch: String
        do { scratch = try SignatureTool.temporaryFolder() } catch { throw failure(.start, "", error.description) }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let tool = SignatureTool(home: scratch)
        var problems: [SpecDiagnostic] = []
        var sshKeys: [SSHKey] = []
        var openPGPKeys: [OpenPGPKey] = []
        var hash = SHA256()
        hash.update(data: bytes)
        let folder = (path as NSString).deletingLastPathComponent
        for (index, key) in policy.keys.enumerated() {
            func problem(_ message: String) {
                problems.append(SpecDiagnostic(file: path, at: key.location, field: key.field, message: message))
            }
            switch key.source {
            case .ssh(let line):
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                let bare = parts.prefix(2).joined(separator: " ")
                if let known = sshKeys.firstIndex(where: { $0.key == bare }) {
                    if !sshKeys[known].signers.contains(key.signer) { sshKeys[known].signers.append(key.signer) }
                    continue
                }
                let file = scratch + "/key-\(index).pub"
                do {
                    try SignatureTool.write(Array((bare + "\n").utf8), to: file)
                    let listed = try await tool.run(["ssh-keygen", "-l", "-f", file])
                    let fields = listed.output.split(separator: " ")
                    guard listed.status == 0, fields.count >= 2 else {
                        problem("the SSH key of \(key.signer) is malformed: ssh-keygen says: \(listed.complaint); "
                                + "copy the whole line of the signer's .pub file")
                        continue
                    }
                    sshKeys.append(SSHKey(key: bare, signers: [key.signer], fingerprint: String(fields[1])))
                } catch {
                    problem("cannot check the SSH key of \(key.signer): \(error.description)")
                }
            case .openpgp(let written):
                let file = written.hasPrefix("/") ? written : folder.isEmpty ? written : folder + "/" + written
                let contents: Data
                do { contents = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                    problem("cannot read the OpenPGP key file \(file) of \(key.signer): \(error.localizedDescription)")
                    continue
                }
                hash.update(data: Array(contents))
                do {
                    let checked = try await openPGPKey(Array(contents), file: file, signer: key.signer, tool: tool)
                    switch checked {
                    case .success(let found):
                        if let known = openPGPKeys.firstIndex(where: { $0.keyring == found.keyring }) {
                            if !openPGPKeys[known].signers.contains(key.signer) { openPGPKeys[known].signers.append(key.signer) }
                        } else {
                            openPGPKeys.append(found)
                        }
                    case .failure(let message): problem(message)
                    }
                } catch {
                    problem("cannot check the OpenPGP key file \(file) of \(key.signer): \(error.description)")
                }
            }
        }
        guard problems.isEmpty else { throw Failure(diagnostics: problems) }
        let digest = hash.finalize().prefix(8).map { String(format: "%02x", $0) }.joined()
        return TrustSettings(policy: policy, sshKeys: sshKeys, openPGPKeys: openPGPKeys, digest: digest)
    }

    private enum Checked {
        case success(OpenPGPKey)
        case failure(String)
    }

    /// `gpg --show-keys` says what the file holds; only valid public keys pass, then `gpg --dearmor` (when
    /// armored) gives the keyring.
    private static func openPGPKey(_ contents: [UInt8], file: String, signer: String,
                                   tool: SignatureTool) async throws(SignatureTool.Failure) -> Checked {
        let shown = try await tool.run(["gpg", "--batch", "--no-tty", "--with-colons", "--show-keys", file])
        var fingerprints: [String] = []
        var expectPrimary = false
        var refused: [String] = []
        for line in shown.output.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard let kind = fields.first else { continue }
            switch kind {
            case "sec", "ssb":
                return .failure("the OpenPGP key file \(file) of \(signer) holds a SECRET key; list the public key only "
                                + "(gpg --armor --export KEY) and keep the secret one off this machine")
            case "pub":
                expectPrimary = true
                let validity = fields.count > 1 ? fields[1] : ""
                let id = fields.count > 4 ? fields[4] : "?"
                switch validity {
                case "e":
                    let when = fields.count > 6 ? Double(fields[6]).map { Date(timeIntervalSince1970: $0).formatted(.iso8601) } : nil
                    refused.append("key \(id) expired" + (when.map { " on \($0)" } ?? ""))
                case "r": refused.append("key \(id) is revoked")
                case "i", "d": refused.append("key \(id) is invalid or disabled")
                default: break
                }
            case "fpr" where expectPrimary:
                if fields.count > 9 { fingerprints.append(fields[9].uppercased()) }
                expectPrimary = false
            default: continue
            }
        }
        if !refused.isEmpty {
            return .failure("the OpenPGP key file \(file) of \(signer) cannot verify signatures: \(refused.joined(separator: "; ")); "
                            + "list a current key, or remove it")
        }
        guard shown.status == 0, !fingerprints.isEmpty else {
            return .failure("the OpenPGP key file \(file) of \(signer) holds no public key gpg can read (gpg says: \(shown.complaint)); "
                            + "export it with gpg --armor --export KEY")
        }
        var keyring = contents
        if contents.starts(with: Array("-----BEGIN".utf8)) || String(decoding: contents.prefix(4096), as: UTF8.self).contains("-----BEGIN PGP") {
            let dearmored = try await tool.run(["gpg", "--batch", "--no-tty", "--dearmor"], input: contents)
            guard dearmored.status == 0, !dearmored.stdout.isEmpty else {
                return .failure("the OpenPGP key file \(file) of \(signer) cannot be dearmored: \(dearmored.complaint)")
            }
            keyring = dearmored.stdout
        }
        return .success(OpenPGPKey(file: file, signers: [signer], fingerprints: fingerprints, keyring: keyring))
    }
}
