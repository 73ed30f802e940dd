import ArgumentParser
import Foundation
import ProcessSupport
import Reconciler

/// `--signing-key FILE`, on the commands that deliver to the environment branch (docs/ARCHITECTURE.md §6, §9).
struct SigningOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "An SSH private key (no passphrase) that signs the commits delivered to the environment branch (ssh-keygen -Y sign, namespace git), so Argo CD or Flux can verify them.",
        valueName: "FILE"))
    var signingKey: String?

    /// `settings` with the checked key; a key ssh-keygen cannot use exits 2 before anything is fetched.
    func apply(to settings: ReconcileSettings) async throws -> ReconcileSettings {
        guard let signingKey else { return settings }
        var settings = settings
        do {
            settings.signingKey = try await SigningKey.load(file: signingKey)
        } catch {
            StandardStream.error.write(error.description + "\n")
            throw ExitCode(2)
        }
        return settings
    }
}
