import Planner
import Specs

/// The status of one pass over a commit: the YAML document innominatus appends to the commit's note
/// under `refs/notes/innominatus` (docs/ARCHITECTURE.md §7 — these field names are a contract; fields may be
/// added, never renamed). It lists only the pairs that ran, were blocked, failed or errored, and a count
/// of the unchanged ones, so that a note stays small at 10,000 apps.
public struct ReconcileStatus: Codable, Sendable, Equatable {
    public enum Result: String, Codable, Sendable {
        case succeeded, partial, failed, noop
    }

    public var apiVersion = "innominatus.dev/v1"
    public var kind = "ReconcileStatus"
    public var commit: String
    /// The commit applied before this pass (nil on the first pass).
    public var previousCommit: String?
    public var result: Result
    /// RFC 3339.
    public var startedAt: String
    public var finishedAt: String
    /// Pairs skipped as unchanged (not listed under `apps`).
    public var unchanged: Int
    public var apps: [String: AppStatus]
    /// Why the pass could not complete, when it could not (an addition to §7).
    public var error: String?
    /// What the pass committed to the environment branch (an addition to §7); nil when it rendered nothing.
    public var delivery: DeliveryStatus?
    /// What the pass found wrong but worked around, e.g. an applied state that failed verification and was
    /// ignored (an addition to §7).
    public var warnings: [String]?
    /// The trust stage's verdict on the commit, with `--trust` (an addition to §7).
    public var verification: VerificationStatus?

    public init(commit: String, previousCommit: String?, result: Result, startedAt: String, finishedAt: String,
                unchanged: Int, apps: [String: AppStatus], error: String? = nil, delivery: DeliveryStatus? = nil) {
        self.delivery = delivery
        self.commit = commit
        self.previousCommit = previousCommit
        self.result = result
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.unchanged = unchanged
        self.apps = apps
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, commit, previousCommit, result, startedAt, finishedAt, unchanged, apps, error, delivery, warnings
        case verification
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(apiVersion, forKey: .apiVersion)
        try container.encode(kind, forKey: .kind)
        try container.encode(commit, forKey: .commit)
        try container.encode(previousCommit, forKey: .previousCommit)  // an explicit null, as §7 shows
        try container.encode(result, forKey: .result)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(unchanged, forKey: .unchanged)
        try container.encode(SortedMap(apps), forKey: .apps)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encodeIfPresent(delivery, forKey: .delivery)
        try container.encodeIfPresent(warnings, forKey: .warnings)
        try container.encodeIfPresent(verification, forKey: .verification)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decode(String.self, forKey: .apiVersion)
        kind = try container.decode(String.self, forKey: .kind)
        commit = try container.decode(String.self, forKey: .commit)
        previousCommit = try container.decodeIfPresent(String.self, forKey: .previousCommit)
        result = try container.decode(Result.self, forKey: .result)
        startedAt = try container.decode(String.self, forKey: .startedAt)
        finishedAt = try container.decode(String.self, forKey: .finishedAt)
        unchanged = try container.decode(Int.self, forKey: .unchanged)
        apps = try container.decodeIfPresent([String: AppStatus].self, forKey: .apps) ?? [:]
        error = try container.decodeIfPresent(String.self, forKey: .error)
        delivery = try container.decodeIfPresent(DeliveryStatus.self, forKey: .delivery)
        warnings = try container.decodeIfPresent([String].self, forKey: .warnings)
        verification = try container.decodeIfPresent(VerificationStatus.self, forKey: .verification)
    }
}

/// The pass's commit on the environment branch (rendered manifests, one folder per app).
public struct DeliveryStatus: Codable, Sendable, Equatable {
    public var branch: String
    /// The commit pushed; nil when the rendered manifests equal what the branch holds.
    public var commit: String?
    /// Apps whose folder changed.
    public var apps: [String]
    /// Why delivery failed (the application tiers that rendered then failed too).
    public var error: String?

    public init(branch: String, commit: String?, apps: [String], error: String? = nil) {
        self.branch = branch
        self.commit = commit
        self.apps = apps
        self.error = error
    }
}

/// One app in a status note.
public struct AppStatus: Codable, Sendable, Equatable {
    public var product: String?
    public var tiers: [Tier: TierStatus]

    public init(product: String?, tiers: [Tier: TierStatus]) {
        self.product = product
        self.tiers = tiers
    }

    enum CodingKeys: String, CodingKey { case product, tiers }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(product, forKey: .product)
        try container.encode(SortedMap(Dictionary(uniqueKeysWithValues: tiers.map { ($0.key.rawValue, $0.value) }),
                                       order: Tier.allCases.map(\.rawValue)), forKey: .tiers)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        product = try container.decodeIfPresent(String.self, forKey: .product)
        let raw = try container.decodeIfPresent([String: TierStatus].self, forKey: .tiers) ?? [:]
        tiers = Dictionary(uniqueKeysWithValues: raw.compactMap { key, value in Tier(rawValue: key).map { ($0, value) } })
    }
}

/// One (app, tier) pair in a status note.
public struct TierStatus: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable, CaseIterable {
        case run, skip, blocked, prune, error, stalled, suspended
    }

    public enum Result: String, Codable, Sendable, CaseIterable {
        case succeeded, failed, interrupted, blocked, pruned, error, waiting
        case notRun = "not-run"
    }

    public var action: Action
    public var result: Result
    public var fingerprint: String?
    public var reason: String
    public var blocked: [BlockedWorkflow]?
    public var workflows: [WorkflowStatus]?
    /// The application tier's provisioned resources and their non-secret outputs (an addition to §7).
    public var resources: [String: [String: String]]?

    public init(action: Action, result: Result, fingerprint: String?, reason: String,
                blocked: [BlockedWorkflow]? = nil, workflows: [WorkflowStatus]? = nil, resources: [String: [String: String]]? = nil) {
        self.resources = resources
        self.action = action
        self.result = result
        self.fingerprint = fingerprint
        self.reason = reason
        self.blocked = blocked
        self.workflows = workflows
    }

    enum CodingKeys: String, CodingKey { case action, result, fingerprint, reason, blocked, workflows, resources }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(action, forKey: .action)
        try container.encode(result, forKey: .result)
        try container.encodeIfPresent(fingerprint, forKey: .fingerprint)
        try container.encode(reason, forKey: .reason)
        try container.encodeIfPresent(blocked, forKey: .blocked)
        try container.encodeIfPresent(workflows, forKey: .workflows)
        try container.encodeIfPresent(resources.map { SortedMap($0.mapValues { SortedMap($0) }) }, forKey: .resources)
    }
}

/// One workflow that ran in a pair, as the note records it.
public struct WorkflowStatus: Codable, Sendable, Equatable {
    public var name: String
    public var phase: String
    public var result: String
    public var steps: [StepStatus]

    public init(name: String, phase: String, result: String, steps: [StepStatus]) {
        self.name = name
        self.phase = phase
        self.result = result
        self.steps = steps
    }
}

/// One step of a workflow, as the note records it: its outcome and the tail of its log (secrets masked before it gets here).
public struct StepStatus: Codable, Sendable, Equatable {
    public var name: String
    public var result: String
    public var exitCode: Int?
    public var durationMs: Int
    public var log: [String]?
    /// Where the full log is kept under the reconciler's workdir (an addition to §7).
    public var logFile: String?

    public init(name: String, result: String, exitCode: Int?, durationMs: Int, log: [String]? = nil, logFile: String? = nil) {
        self.name = name
        self.result = result
        self.exitCode = exitCode
        self.durationMs = durationMs
        self.log = log
        self.logFile = logFile
    }
}

/// A string-keyed map encoded with its keys in a fixed order (sorted, or a given order first), so that a
/// note's bytes depend only on its content.
struct SortedMap<Value: Encodable>: Encodable {
    let entries: [(String, Value)]

    init(_ dictionary: [String: Value], order: [String] = []) {
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        entries = dictionary.sorted { lhs, rhs in
            switch (rank[lhs.key], rank[rhs.key]) {
            case let (l?, r?): return l < r
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return lhs.key < rhs.key
            }
        }.map { ($0.key, $0.value) }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in entries { try container.encode(value, forKey: Key(stringValue: key)) }
    }
}
