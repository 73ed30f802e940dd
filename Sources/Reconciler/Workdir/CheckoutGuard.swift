import GitKit
import Logging

/// Keeps a pass's checkout what git says while its steps run (docs/ARCHITECTURE.md, "The checkout"): asked
/// before every workflow, it answers from the kernel's watch at once when nothing wrote there, and otherwise
/// compares the folder with its seal and, if a step changed it, logs what changed and rewrites the folder
/// from the commit before the workflow starts. A step of the reconciler's own user can write there (root's
/// steps run as the step user, who cannot); this is what stops it from changing what later steps run.
actor CheckoutGuard {
    private let repository: Repository
    private let commit: ObjectID
    let directory: String
    private let logger: Logger
    private var watch: CheckoutWatch?
    /// Why there is no watch: the checkout is then verified only at each pass's checkout.
    private(set) var unwatched: String?
    /// Set when the checkout could not be restored: every later workflow of the pass fails with it.
    private var failure: String?

    init(repository: Repository, commit: ObjectID, directory: String, logger: Logger) {
        self.repository = repository
        self.commit = commit
        self.directory = directory
        self.logger = logger
    }

    /// Starts watching, after the checkout was written (and verified) by `Repository.checkout`.
    func arm() {
        guard watch == nil else { return }
        var reason = ""
        watch = CheckoutWatch(directory: directory, reason: &reason)
        if watch == nil {
            unwatched = reason
            logger.warning("the checkout is verified only when a pass starts, not before each workflow",
                           metadata: ["checkout": "\(directory)", "reason": "\(reason)"])
        }
    }

    /// nil when the checkout is the commit's tree (restored if it had to be); else why it cannot be.
    func ensureIntact(before app: String) async -> String? {
        if let failure { return failure }
        guard let watch, watch.wasTouched else { return nil }
        for _ in 0..<3 {
            // The new watch starts before the comparison, so a write after it is seen either way.
            var reason = ""
            let next = CheckoutWatch(directory: directory, reason: &reason)
            let changed = CheckoutSeal.read(for: directory)?.differences(in: directory) ?? ["(the seal is missing)"]
            if changed.isEmpty {
                self.watch = next
                if next == nil { unwatched = reason }
                return nil
            }
            logger.error("a step changed the checkout; rewriting it from the commit before the next workflow",
                         metadata: ["checkout": "\(directory)", "commit": "\(commit.hex.prefix(12))", "next app": "\(app)",
                                    "changed": "\(changed.prefix(10).joined(separator: ", "))\(changed.count > 10 ? ", …" : "")"])
            do {
                _ = try await repository.checkout(commit, into: directory, fresh: true)
            } catch {
                failure = "a step changed the checkout and it cannot be rewritten: \(error)"
                return failure
            }
        }
        failure = "steps keep changing the checkout while it is rewritten; no workflow runs in it"
        return failure
    }
}
