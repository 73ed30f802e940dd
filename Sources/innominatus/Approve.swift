import ArgumentParser
import Foundation
import ProcessSupport
import Reconciler
import Specs

/// `innominatus approve PRODUCT/WORKFLOW [--dir CHECKOUT]`: pins the workflow's digest in the
/// checkout's admin config, for the platform team to commit in a reviewed pull request.
struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Pin a product workflow's digest (its file and its inputs), or a provisioners file's blob id, in \(AdminConfig.repositoryPaths.joined(separator: " or ")).",
        discussion: """
            The digest is sha256:<hex> over the workflow file and every file its spec.inputs name (their git blob \
            ids, sorted by path), as they lie in the checkout: an edit to any of them blocks the workflow until it \
            is approved again. Run it in a clean checkout (an untracked file an inputs glob matches counts too); \
            it lists the files the pin covers. An older pin (a bare git blob id) covers the workflow file alone. \
            Edits the file in place: only the workflow's allowedProductWorkflows entry changes; comments, order \
            and formatting of the rest stay as they are. Commit the change in a reviewed pull request. A workflow \
            that does not validate is refused (exit 1) with its errors as file:line:column. Works from any folder \
            of the checkout, like run and render. With provisioners/NAME.yaml, pins that file's git blob id in \
            allowedProvisioners instead (a cmd:// provisioner in it also needs allowCmdProvisioners: true).
            """)

    @Argument(help: "The product workflow, as PRODUCT/WORKFLOW, or a provisioners file, as provisioners/NAME.yaml.")
    var workflow: String

    @Option(help: "A folder of the checkout of the platform repository (default: the current one); its root is the nearest folder at or above it holding \(AdminConfig.repositoryPaths.joined(separator: " or ")), provisioners/ or .git.")
    var dir: String = "."

    func run() throws {
        do {
            let root = RepositoryRoot.enclosing(folder: dir) ?? dir
            let approved = workflow.hasPrefix("provisioners/") || workflow.hasPrefix("./provisioners/")
                ? try AdminConfigApproval.approveProvisioners(workflow, inCheckout: root)
                : try AdminConfigApproval.approve(workflow, inCheckout: root)
            print(approved.changed
                ? "approved \(workflow) at \(approved.digest) in \(approved.configPath); commit it in a reviewed pull request"
                : "\(workflow) is already approved at \(approved.digest)")
            print("the pin covers: " + approved.covers.joined(separator: ", "))
        } catch {
            StandardStream.error.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}
