import Foundation
import GitKit
import Planner

/// Who signed a commit, asked of the standard tools (docs/ARCHITECTURE.md §9, trust): an SSH signature
/// of `ssh-keygen -Y find-principals` and `-Y verify -n git` against an allowed-signers file made from the
/// trust file; an OpenPGP signature of `gpgv` against keyrings made from the listed key files. The files
/// live in `<workdir>/trust/` (0700, files 0600), written afresh for each verifier.
struct SignatureVerifier {
    let settings: TrustSettings
    let folder: String
    private let tool: SignatureTool

    private var allowedSignersFile: String { folder + "/allowed_signers" }
    private func keyringFile(_ index: Int) -> String { folder + "/keyring-\(index).gpg" }

    /// Makes the folder and writes the allowed-signers file and the keyrings.
    init(settings: TrustSettings, folder: String) throws(SignatureTool.Failure) {
        self.settings = settings
        self.folder = folder
        tool = SignatureTool(home: folder)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw SignatureTool.Failure(description: "cannot make \(folder): \(error.localizedDescription)")
        }
        chmod(folder, 0o700)
        try SignatureTool.write(Array(settings.allowedSigners.utf8), to: allowedSignersFile)
        for (index, key) in settings.openPGPKeys.enumerated() { try SignatureTool.write(key.keyring, to: keyringFile(index)) }
    }

    /// The signer of a commit with this signature (nil: the commit is not signed). Throws only when a tool
    /// cannot be run; a signature that does not verify is a `CommitSigner`, not an error.
    func signer(of signature: CommitSignature?, commit: String) async throws(SignatureTool.Failure) -> CommitSigner {
        guard let signature else { return .unsigned }
        let armor = String(decoding: signature.signature.prefix(64), as: UTF8.self)
        let file = folder + "/signature-\(getpid())-\(commit)"
        try SignatureTool.write(signature.signature, to: file)
        defer { unlink(file) }
        if armor.hasPrefix("-----BEGIN SSH SIGNATURE-----") { return try await ssh(file, data: signature.signedData) }
        if armor.hasPrefix("-----BEGIN PGP SIGNATURE-----") { return try await openPGP(file, data: signature.signedData) }
        return .invalid("the signature is neither SSH nor OpenPGP")
    }

    private func ssh(_ signature: String, data: [UInt8]) async throws(SignatureTool.Failure) -> CommitSigner {
        var principals: [String] = []
        if !settings.sshKeys.isEmpty {
            let found = try await tool.run(["ssh-keygen", "-Y", "find-principals", "-s", signature, "-f", allowedSignersFile])
            if found.status == 0 { principals = found.output.split(whereSeparator: \.isNewline).map(String.init) }
        }
        guard let first = principals.first else {
            // Which key it was, from the signature itself (no trust involved), so the note names it.
            let unchecked = try await tool.run(["ssh-keygen", "-Y", "check-novalidate", "-n", "git", "-s", signature], input: data)
            let key = unchecked.output.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("SHA256:") }.map { "SSH key \($0)" }
            return .unknownKey(key ?? "an SSH key")
        }
        let verified = try await tool.run(["ssh-keygen", "-Y", "verify", "-n", "git", "-f", allowedSignersFile, "-I", first,
                                           "-s", signature], input: data)
        guard verified.status == 0 else {
            return .invalid("ssh-keygen -Y verify refused the signature of \(principals.joined(separator: ", ")): \(verified.complaint)")
        }
        return .signed(by: principals.sorted())
    }

    private func openPGP(_ signature: String, data: [UInt8]) async throws(SignatureTool.Failure) -> CommitSigner {
        guard !settings.openPGPKeys.isEmpty else { return .unknownKey("an OpenPGP key") }
        var arguments = ["gpgv", "--status-fd", "1"]
        for index in settings.openPGPKeys.indices { arguments += ["--keyring", keyringFile(index)] }
        let result = try await tool.run(arguments + [signature, "-"], input: data)
        var status: [String: [String]] = [:]
        for line in result.output.split(separator: "\n") where line.hasPrefix("[GNUPG:] ") {
            let fields = line.dropFirst("[GNUPG:] ".count).split(separator: " ").map(String.init)
            if let kind = fields.first { status[kind] = Array(fields.dropFirst()) }
        }
        func owner(_ fields: [String]?) -> String {
            let key = fields?.first ?? "?"
            let names = settings.openPGPKeys.filter { entry in entry.fingerprints.contains { $0.hasSuffix(key.uppercased()) } }
                .flatMap(\.signers)
            return names.isEmpty ? "OpenPGP key \(key)" : "\(Array(Set(names)).sorted().joined(separator: ", "))'s OpenPGP key \(key)"
        }
        if let fields = status["EXPKEYSIG"] { return .invalid("it was made by \(owner(fields)), which has expired") }
        if let fields = status["REVKEYSIG"] { return .invalid("it was made by \(owner(fields)), which was revoked") }
        if status["BADSIG"] != nil { return .invalid("gpgv: the signature does not match the commit") }
        if status["EXPSIG"] != nil { return .invalid("gpgv: the signature has expired") }
        if let fields = status["NO_PUBKEY"] { return .unknownKey("OpenPGP key \(fields.first ?? "?")") }
        if let valid = status["VALIDSIG"], status["GOODSIG"] != nil, result.status == 0, let primary = valid.last {
            let names = settings.signers(ofOpenPGP: primary)
            return names.isEmpty ? .unknownKey("OpenPGP key \(primary)") : .signed(by: names)
        }
        if let fields = status["ERRSIG"] { return .unknownKey("OpenPGP key \(fields.first ?? "?")") }
        return .invalid("gpgv could not verify the signature: \(result.complaint)")
    }
}
