import ArgumentParser
import Foundation
import ProcessSupport
import Reconciler

/// `--trust FILE`, shared by the commands that plan or apply the branch (docs/ARCHITECTURE.md §6, §9).
struct TrustOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A trust file, kept outside the repository: apply a head only when its commits are signed (SSH or OpenPGP) by signers allowed to change the paths they changed.",
        discussion: "mode: none | head | strict; signers: name → SSH public key lines and {openpgp: FILE}; rules: [{paths: [globs], signers: [names]}], the first rule matching a path decides. A refused head runs nothing, leaves the applied state, and its note says which commit, path, rule and signer. A commit with the trailer 'Innominatus-Seal: <reason>' signed by a signer allowed for everything up to it ends a strict walk. A bad file fails at start with file:line:column (exit 2).",
        valueName: "FILE"))
    var trust: String?

    /// The checked trust file, nil without `--trust`. A file with problems prints them (file:line:column)
    /// and exits 2 before anything is fetched.
    func load() async throws -> TrustSettings? {
        guard let trust else { return nil }
        do {
            return try await TrustSettings.load(file: trust)
        } catch {
            StandardStream.error.write(error.description + "\n")
            throw ExitCode(2)
        }
    }

    func apply(to settings: ReconcileSettings) async throws -> ReconcileSettings {
        var settings = settings
        settings.trust = try await load()
        return settings
    }
}
