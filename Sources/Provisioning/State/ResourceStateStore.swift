import Foundation

/// Where resource state (generated passwords, ids) lives between passes, keyed by
/// `ResourceRequest.stateKey`. One small protocol so the reconciler can swap the file for another store.
public protocol ResourceStateStore: Sendable {
    /// The saved state of every resource; empty when nothing was saved yet.
    func load() throws(ProvisioningError) -> [String: ManifestValue]
    /// Replaces the saved state.
    func save(_ states: [String: ManifestValue]) throws(ProvisioningError)
}

/// State kept in one JSON file, readable only by its owner (mode 0600, in folders of mode 0700 when it
/// creates them) because it holds secrets, written to a temporary file and renamed so a crash never leaves
/// half a file.
public struct FileStateStore: ResourceStateStore {
    public var path: String

    public init(path: String) { self.path = path }

    public func load() throws(ProvisioningError) -> [String: ManifestValue] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProvisioningError("the state file \(path) cannot be read; check its owner and mode (0600)")
        }
        guard let document = JSONText.decode(data), let entries = document.entries else {
            throw ProvisioningError("the state file \(path) is not a JSON object; restore it from a backup or remove it "
                                    + "(removing it generates new passwords)")
        }
        return Dictionary(entries, uniquingKeysWith: { $1 })
    }

    public func save(_ states: [String: ManifestValue]) throws(ProvisioningError) {
        let text = JSONText.encode(.sortedMap(states), indent: "  ") + "\n"
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = path + ".tmp-\(getpid())"
        if !folder.isEmpty, let problem = PrivateFiles.makeFolder(folder, restrict: false) {
            throw ProvisioningError("cannot write the state file \(path): \(problem)")
        }
        do {
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            // The umask only narrows a mode, and a leftover temporary file keeps its own: set it.
            guard fchmod(descriptor, 0o600) == 0 else {
                close(descriptor)
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            let bytes = Array(text.utf8)
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            fsync(descriptor)
            close(descriptor)
            guard written == bytes.count else { throw POSIXError(.EIO) }
            guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            unlink(temporary)
            throw ProvisioningError("cannot write the state file \(path): \(error); check that its folder is writable")
        }
    }
}

/// State kept in memory only: for previews, where generated values need not survive the process.
public final class MemoryStateStore: ResourceStateStore, @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var states: [String: ManifestValue]

    public init(_ states: [String: ManifestValue] = [:]) { self.states = states }

    public func load() throws(ProvisioningError) -> [String: ManifestValue] { lock.withLock { states } }

    public func save(_ states: [String: ManifestValue]) throws(ProvisioningError) { lock.withLock { self.states = states } }
}
