import ArgumentParser
import Foundation
import Reconciler

/// `innominatus approve PRODUCT/WORKFLOW [--dir CHECKOUT]`: pins the workflow's digest in the
/// checkout's admin config, for the platform team to commit in a reviewed pull request.
struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pin a product workflow's digest (its git blob id) in policies/admin-config.yaml.",
        discussion: """
            Edits the file in place: only the workflow's allowedProductWorkflows entry changes; comments, order \
            and formatting of the rest stay as they are. Commit the change in a reviewed pull request.
            """)

    @Argument(help: "The product workflow, as PRODUCT/WORKFLOW.")
    var workflow: String

    @Option(help: "The checkout of the platform repository.")
    var dir: String = "."

    func run() throws {
        do {
            let approved = try AdminConfigApproval.approve(workflow, inCheckout: dir)
            print(approved.changed
                ? "approved \(workflow) at \(approved.digest) in \(approved.configPath); commit it in a reviewed pull request"
                : "\(workflow) is already approved at \(approved.digest)")
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
