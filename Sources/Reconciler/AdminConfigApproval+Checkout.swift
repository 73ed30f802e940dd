import Foundation
import Provisioning
import Specs

extension AdminConfigApproval {
    /// What `innominatus approve` did.
    public struct Approved: Sendable, Equatable {
        public var configPath: String
        public var workflowPath: String
        public var digest: String
        /// The files the digest covers, in the repository: the workflow file, then the files its inputs name.
        public var covers: [String]
        /// False when the entry already held this digest (the file is untouched).
        public var changed: Bool
    }

    /// Pins `product/name` at the digest of what it runs (`WorkflowPin`: its workflow file and the files its
    /// `inputs` name, as they lie in the checkout at `directory`), editing `policies/admin-config.yaml` in
    /// place (created when missing). A workflow that does not
    /// validate where it lies (as `innominatus validate DIR` would report it) is refused with its errors:
    /// an approval pins exactly that content, which could then never run.
    public static func approve(_ fullName: String, inCheckout directory: String) throws(Failure) -> Approved {
        let parts = fullName.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw Failure(description: "'\(fullName)' is not PRODUCT/WORKFLOW, e.g. ecommerce/database-setup")
        }
        let root = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let configRelative = AdminConfig.path { FileManager.default.fileExists(atPath: root + "/" + $0) } ?? AdminConfig.defaultPath
        let configPath = root + "/" + configRelative
        let existing = FileManager.default.contents(atPath: configPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let config = SpecValidator().validate(Array(existing.utf8), path: configRelative, as: .adminConfig).adminConfig ?? .default
        let folder = "\(root)/\(config.workflowsRoot)/products/\(parts[0])/"
        guard let workflowPath = ["\(parts[1]).yaml", "\(parts[1]).yml"].map({ folder + $0 })
            .first(where: { FileManager.default.fileExists(atPath: $0) }),
            let bytes = FileManager.default.contents(atPath: workflowPath)
        else {
            throw Failure(description: "no workflow \(folder)\(parts[1]).yaml in \(directory); check the name or pass --dir CHECKOUT")
        }
        try checkValid(workflowPath, bytes: Array(bytes), root: root, config: (configRelative, existing))
        let relative = String(workflowPath.dropFirst(root.count + 1))
        let patterns = SpecValidator().validate(Array(bytes), path: relative, as: .workflow).workflow?.inputs ?? []
        let inputs: [String: String]
        do {
            inputs = patterns.isEmpty ? [:] : try RepoTree.checkout(at: root).inputs(named: patterns)
        } catch {
            throw Failure(description: "cannot read the files of \(root) that the workflow's inputs name: \(error.localizedDescription)")
        }
        let digest = WorkflowPin.digest(path: relative, blobID: GitBlobID.of(Array(bytes)), inputs: inputs)
        let covers = [relative] + inputs.keys.filter { $0 != relative }.sorted()
        let edited = try approve(existing, product: parts[0], name: parts[1], digest: digest, path: configRelative)
        guard edited != existing else {
            return Approved(configPath: configPath, workflowPath: workflowPath, digest: digest, covers: covers, changed: false)
        }
        do {
            try FileManager.default.createDirectory(atPath: root + "/policies", withIntermediateDirectories: true)
            try Data(edited.utf8).write(to: URL(fileURLWithPath: configPath))
        } catch {
            throw Failure(description: "cannot write \(configPath): \(error.localizedDescription)")
        }
        return Approved(configPath: configPath, workflowPath: workflowPath, digest: digest, covers: covers, changed: true)
    }

    /// Throws the workflow's errors, with file:line:column, when it does not validate as the product
    /// workflow its place in the repository makes it, under the checkout's admin config.
    private static func checkValid(_ workflowPath: String, bytes: [UInt8], root: String,
                                   config: (path: String, text: String)) throws(Failure) {
        let relative = String(workflowPath.dropFirst(root.count + 1))
        var files = [RepoFile(path: relative, bytes: bytes)]
        if !config.text.isEmpty { files.append(RepoFile(path: config.path, bytes: Array(config.text.utf8))) }
        let report = PlatformRepoValidator().validate(files: files)
        guard let errors = report.files.first(where: { $0.path == relative })?.errors, !errors.isEmpty else { return }
        let lines = errors.map { error in
            var shown = error
            shown.file = workflowPath
            return shown.description
        }
        throw Failure(description: "\(workflowPath) does not validate, so it is not approved; fix it first:\n"
            + lines.joined(separator: "\n"))
    }
}

extension AdminConfigApproval {
    /// Pins the provisioners file `file` (`provisioners/NAME.yaml`) at its git blob id, as it lies in the
    /// checkout at `directory`, in `allowedProvisioners` of `policies/admin-config.yaml` (created when
    /// missing). A file that does not load is refused with its errors: the pin would approve a file that
    /// serves nothing.
    public static func approveProvisioners(_ file: String, inCheckout directory: String) throws(Failure) -> Approved {
        let relative = file.hasPrefix("./") ? String(file.dropFirst(2)) : file
        // Which path is a provisioners file is the classifier's rule (docs/ARCHITECTURE.md §15); the roots do not matter.
        guard RepoLocation.of(relative, config: .default) == .provisioners else {
            throw Failure(description: "'\(file)' is not a provisioners file; write provisioners/NAME.yaml")
        }
        let root = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let configRelative = AdminConfig.path { FileManager.default.fileExists(atPath: root + "/" + $0) } ?? AdminConfig.defaultPath
        let configPath = root + "/" + configRelative
        let filePath = root + "/" + relative
        guard let bytes = FileManager.default.contents(atPath: filePath).map(Array.init) else {
            throw Failure(description: "no provisioners file \(filePath); check the name or pass --dir CHECKOUT")
        }
        let report = ProvisionerLoader().check(bytes, file: filePath, folder: root + "/provisioners")
        guard report.errors.isEmpty else {
            throw Failure(description: "\(filePath) does not load, so it is not approved; fix it first:\n"
                + report.errors.map { $0.description }.joined(separator: "\n"))
        }
        let digest = GitBlobID.of(bytes)
        let existing = FileManager.default.contents(atPath: configPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let edited = try approveProvisioners(existing, file: relative, digest: digest, path: configRelative)
        guard edited != existing else {
            return Approved(configPath: configPath, workflowPath: filePath, digest: digest, covers: [relative], changed: false)
        }
        do {
            try FileManager.default.createDirectory(atPath: root + "/policies", withIntermediateDirectories: true)
            try Data(edited.utf8).write(to: URL(fileURLWithPath: configPath))
        } catch {
            throw Failure(description: "cannot write \(configPath): \(error.localizedDescription)")
        }
        return Approved(configPath: configPath, workflowPath: filePath, digest: digest, covers: [relative], changed: true)
    }
}
