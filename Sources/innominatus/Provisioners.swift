import ArgumentParser
import Foundation
import ProcessSupport
import Provisioning
import Specs

/// `innominatus provisioners list [--repo DIR] [--output text|json]`: the provisioners a Score's resources
/// are matched against, in order. All logic is in Provisioning (`ProvisionerListing`).
struct Provisioners: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provisioners",
        abstract: "List the provisioners resources are matched against.",
        subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List provisioners in match order: the repository's approved files, then the built-in ones.",
            discussion: """
                A resource gets the first provisioner whose type matches and whose class and id, when set, match \
                its own. Files under provisioners/ that the admin config does not approve are listed with why they \
                are not used. OUTPUTS are the keys ${resources.NAME.KEY} can read (* marks a secret).
                """)

        enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

        @Option(help: "The platform repository's root (default: the current folder's, found as render finds it).")
        var repo: String?

        @Option(help: "Output format: text or json.")
        var output: Output = .text

        func run() throws {
            let root = repo ?? RepositoryRoot.enclosing(folder: FileManager.default.currentDirectoryPath)
            let registry: ProvisionerRegistry
            do {
                registry = try ProvisionerRegistry.forRepository(root: root, policy: try ProvisionerPolicy.forRepository(root: root))
            } catch {
                StandardStream.error.write("error: \(error)\n")
                throw ExitCode(1)
            }
            let listing = ProvisionerListing(registry)
            StandardStream.output.write(output == .json ? listing.json : listing.text)
        }
    }
}
