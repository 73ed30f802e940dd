import Foundation

/// `--signing-key FILE`: an SSH private key (no passphrase) that signs the commits innominatus writes to
/// the environment branch, so that Argo CD or Flux can verify them in turn (docs/ARCHITECTURE.md §9,
/// trust). Signed by `ssh-keygen -Y sign -n git`, as git itself signs with `gpg.format ssh`.
public struct SigningKey: Sendable {
    public var file: String
    /// The public key line, as `ssh-keygen -y` derived it (for allowed-signers files).
    public var publicKey: String

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Checks that `file` is an SSH private key `ssh-keygen` can use without a passphrase.
    public static func load(file: String) async throws(Failure) -> SigningKey {
        let path = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        let scratch: String
        do { scratch = try SignatureTool.temporaryFolder() } catch { throw Failure(description: error.description) }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let derived: SignatureTool.Result
        do { derived = try await SignatureTool(home: scratch).run(["ssh-keygen", "-y", "-P", "", "-f", path]) } catch {
            throw Failure(description: "--signing-key \(file): \(error.description)")
        }
        let line = derived.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard derived.status == 0, line.hasPrefix("ssh-") || line.hasPrefix("ecdsa-") || line.hasPrefix("sk-") else {
            throw Failure(description: "--signing-key \(file): not an SSH private key usable without a passphrase "
                          + "(ssh-keygen says: \(derived.complaint)); make one with ssh-keygen -t ed25519 -N ''")
        }
        return SigningKey(file: path, publicKey: line)
    }

    /// The armored SSH signature of `content` (namespace `git`); `home` is the tool's private folder.
    func sign(_ content: [UInt8], home: String) async throws(SignatureTool.Failure) -> String {
        do {
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SignatureTool.Failure(description: "cannot make \(home): \(error.localizedDescription)")
        }
        let signed = try await SignatureTool(home: home).run(["ssh-keygen", "-Y", "sign", "-n", "git", "-f", file], input: content)
        guard signed.status == 0, signed.output.hasPrefix("-----BEGIN SSH SIGNATURE-----") else {
            throw SignatureTool.Failure(description: "ssh-keygen -Y sign with \(file) failed: \(signed.complaint)")
        }
        return signed.output
    }
}
