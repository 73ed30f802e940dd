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

    /// A watch started by `Repository.checkout`'s `beforeSeal`, before the seal was taken.
    final class Started: @unchecked Sendable {
        var watch: CheckoutWatch?
        var reason = ""
        var done = false

        func start(_ directory: String) {
            watch = CheckoutWatch(directory: directory, reason: &reason)
            done = true
        }
    }

    /// Starts watching, after the checkout was written (and verified) by `Repository.checkout`; with a
    /// watch the checkout started before sealing, that one.
    func arm(started: Started? = nil) {
        guard watch == nil else { return }
        var reason = started?.reason ?? ""
        if let started, started.done {
            watch = started.watch
            sealedUnderWatch = watch != nil
        } else {
            watch = CheckoutWatch(directory: directory, reason: &reason)
        }
        if watch == nil {
            unwatched = reason
            logger.warning("the checkout is verified only when a pass starts, not before each workflow",
                           metadata: ["checkout": "\(directory)", "reason": "\(reason)"])
        }
    }

    /// Whether `directory` is known to be exactly what its seal says, without reading it: the watch was
    /// started before the seal was taken (or before the folder was last verified) and the kernel reported
    /// nothing since — no write, no new or removed entry, no lost event queue; anything that rewrote the
    /// folder or its seal's commit would have written there. A loop keeps its last pass's guard so that the
    /// next pass's checkout need not compare 22,000 entries with the seal (docs/ARCHITECTURE.md §14).
    func isIntact(_ directory: String) -> Bool {
        guard failure == nil, sealedUnderWatch, directory == self.directory, let watch else { return false }
        return !watch.wasTouched
    }

    /// The watch began before the folder's seal was taken or last verified (not after: a write in between
    /// would be in neither).
    private var sealedUnderWatch = false

    /// Whether this guard's folder is a checkout of `commit`.
    func holds(_ commit: ObjectID) -> Bool { commit == self.commit }

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
                sealedUnderWatch = next != nil
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
