import Foundation
import GitKit

/// A lease other machines can see: a ref in the remote (`refs/innominatus/lease/<branch>`) pointing
/// at a commit whose message names the holder and when the lease expires.
///
/// Taking or renewing it is a non-forced push of a commit on top of the lease as last fetched, so of
/// two reconcilers racing for it over a real transport the server lets exactly one through (the other
/// is refused as non-fast-forward and sees the winner when it looks again). A lease whose holder died
/// expires by itself; a holder renews it while it works and releases it when done.
///
/// A lease also names the workdir it was taken from (a random id kept in its `cache.git`). Callers hold
/// that workdir's `WorkdirLock` while they use a lease, so a live lease naming our own workdir and another
/// holder was left by a process that died (kill -9, power loss) while holding it: it is taken over at once
/// instead of blocking the restarted reconciler until it expires.
public actor RemoteLease {
    public struct Busy: Error, Sendable, CustomStringConvertible {
        public var holder: String
        public var expires: Date
        public var description: String {
            "the lease is held by \(holder) until \(expires.formatted(.iso8601)); another reconciler is working on this branch"
        }
    }

    /// What a lease commit says.
    struct Record: Codable, Equatable {
        var holder: String
        /// Seconds since 1970; 0 once released.
        var expires: Double
        /// The workdir it was taken from (`Site.id`); absent in leases written before it existed.
        var site: String?
        /// HMAC of the fields under the state key: a lease without a valid one is void.
        var mac: String?

        func signed(_ key: StateKey, ref: String) -> Record {
            var record = self
            record.mac = key.mac(Array(text(ref: ref).utf8))
            return record
        }

        func text(ref: String) -> String {
            "\(ref)\n\(holder)\n\(Int64((expires * 1000).rounded()))\n\(site ?? "")"
        }
    }

    public nonisolated let ref: String
    public nonisolated let holder: String
    private let repository: Repository
    private let remote: Remote
    private let key: StateKey
    private var held: ObjectID?

    /// - Parameters:
    ///   - holder: who this reconciler is, e.g. `host:pid`; must differ between reconcilers.
    ///   - key: signs our lease and checks others': a lease not signed under it, or one that claims more time
    ///     than a lease lasts, is void (anyone who can push could otherwise stop every reconciler).
    public init(repository: Repository, remote: Remote, branch: String, holder: String, key: StateKey) {
        self.repository = repository
        self.remote = remote
        self.key = key
        self.ref = "refs/innominatus/lease/" + branch
        self.holder = holder
    }

    /// Takes the lease for `duration` (or renews it, when held), or throws `Busy`.
    public func acquire(for duration: Duration, now: Date = Date()) async throws {
        let tracking = ref.replacingOccurrences(of: "refs/innominatus/lease/", with: "refs/innominatus/remote-lease/")
        let site = try Self.site(of: repository)
        let expires = now.addingTimeInterval(Double(duration.components.seconds)).timeIntervalSince1970
        let message = try Self.message(Record(holder: holder, expires: expires, site: site).signed(key, ref: ref))
        let commit: ObjectID?
        do {
            // Fetch, check the holder, commit on the fetched lease, non-forced push; a refused push looks
            // again (`Repository.publish`, docs/ARCHITECTURE.md §4). A live lease of another holder: nil.
            commit = try await repository.publish(ref, to: remote, tracking: tracking, attempts: 3) { current throws(GitError) in
                if try await otherHolder(of: current, site: site, now: now, duration: duration) != nil { return nil }
                return try await leaseCommit(message, parent: current)
            }
        } catch {
            // Not `catch where`: Swift 6.3.1 fails to compile that here (an ownership error on the typed error).
            guard error.code == .contended else { throw error }
            throw Busy(holder: "another reconciler (the lease kept moving)", expires: now)
        }
        guard let commit else {
            let record = try await otherHolder(of: repository.reference(tracking), site: site, now: now, duration: duration)
            throw Busy(holder: record?.holder ?? "another reconciler", expires: Date(timeIntervalSince1970: record?.expires ?? 0))
        }
        held = commit
    }

    /// The lease at `current` when it is another holder's, live and valid (`acquire` must not take it).
    private func otherHolder(of current: ObjectID?, site: String, now: Date, duration: Duration) async throws(GitError) -> Record? {
        guard let current, current != held, let record = try await record(of: current),
              record.holder != holder, record.expires > now.timeIntervalSince1970, record.site != site,
              valid(record, now: now, duration: duration)
        else { return nil }
        return record
    }

    /// Gives the lease up (a commit saying it expired), if this reconciler holds it.
    public func release() async {
        guard let held else { return }
        self.held = nil
        let site = try? Self.site(of: repository)
        guard let message = try? Self.message(Record(holder: holder, expires: 0, site: site).signed(key, ref: ref)),
              let commit = try? await leaseCommit(message, parent: held),
              (try? await repository.updateReference(ref, to: commit, expected: repository.reference(ref),
                                                     message: "innominatus: lease released")) != nil
        else { return }
        _ = try? await repository.push(["\(ref):\(ref)"], to: remote)
    }

    private static func message(_ record: Record) throws -> String {
        String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
    }

    /// A lease commit on `parent`; moves no ref.
    private func leaseCommit(_ message: String, parent: ObjectID?) async throws(GitError) -> ObjectID {
        let tree = try await repository.emptyTreeID()
        return try await repository.createCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: message,
                                                 signature: .innominatus)
    }

    /// The random id of the workdir whose cache is `repository`, made on first use (`<git dir>/innominatus-site`).
    static func site(of repository: Repository) throws -> String {
        let path = (repository.path.hasSuffix("/") ? repository.path : repository.path + "/") + "innominatus-site"
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !id.isEmpty { return id }
        }
        let id = UUID().uuidString.lowercased()
        let temporary = path + ".\(getpid())"
        try Data((id + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return id
    }

    /// Signed under our key, and expiring no later than a lease taken now could (the longer of ours and
    /// the default duration, plus a minute of clock skew).
    private func valid(_ record: Record, now: Date, duration: Duration) -> Bool {
        guard let mac = record.mac, key.verify(Array(record.text(ref: ref).utf8), mac: mac) else { return false }
        let longest = max(Double(duration.components.seconds), Self.defaultDuration)
        return record.expires <= now.timeIntervalSince1970 + longest + 60
    }

    /// The lease duration reconcilers use unless told otherwise (seconds).
    public static let defaultDuration = 600.0

    private func record(of commit: ObjectID) async throws(GitError) -> Record? {
        let message = try await repository.commitMessage(commit)
        return try? JSONDecoder().decode(Record.self, from: Data(message.utf8))
    }
}
