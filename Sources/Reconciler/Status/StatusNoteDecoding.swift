import Planner
import Specs

/// `ReconcileStatus` read straight from the note's checked YAML tree: the generic `Decodable` path was a
/// quarter of `innominatus status` at 10,000 apps (every field through boxed keyed containers). Field by
/// field the rules are the Codable ones: a required field missing or of the wrong type makes the document
/// unreadable, an optional one may be absent or null, unknown fields are ignored (notes gain fields).
enum StatusNodeReader {
    struct Unreadable: Error {}

    static func status(_ node: YAMLNode) throws(Unreadable) -> ReconcileStatus {
        let fields = try map(node)
        var status = ReconcileStatus(
            commit: try string(fields["commit"]), previousCommit: try optionalString(fields["previousCommit"]),
            result: try enumeration(fields["result"]), startedAt: try string(fields["startedAt"]),
            finishedAt: try string(fields["finishedAt"]), unchanged: try integer(fields["unchanged"]),
            apps: [:], error: try optionalString(fields["error"]))
        status.apiVersion = try string(fields["apiVersion"])
        status.kind = try string(fields["kind"])
        if let apps = present(fields["apps"]) {
            let entries = try entries(apps)
            status.apps.reserveCapacity(entries.count)
            for entry in entries { status.apps[entry.key] = try app(entry.value) }
        }
        if let warnings = present(fields["warnings"]) {
            status.warnings = try list(warnings).map { node throws(Unreadable) in try string(node) }
        }
        if let delivery = present(fields["delivery"]) {
            let values = try map(delivery)
            status.delivery = DeliveryStatus(branch: try string(values["branch"]), commit: try optionalString(values["commit"]),
                                             apps: try list(values["apps"]).map { node throws(Unreadable) in try string(node) },
                                             error: try optionalString(values["error"]))
        }
        if let verification = present(fields["verification"]) { status.verification = try self.verification(verification) }
        return status
    }

    private static func verification(_ node: YAMLNode) throws(Unreadable) -> VerificationStatus {
        let fields = try map(node)
        var seal: VerificationStatus.SealStatus?
        if let node = present(fields["seal"]) {
            let values = try map(node)
            seal = VerificationStatus.SealStatus(commit: try string(values["commit"]), reason: try string(values["reason"]))
        }
        return VerificationStatus(mode: try string(fields["mode"]), result: try enumeration(fields["result"]),
                                  commits: try integer(fields["commits"]),
                                  signers: try list(fields["signers"]).map { node throws(Unreadable) in try string(node) },
                                  seal: seal, commit: try optionalString(fields["commit"]), path: try optionalString(fields["path"]),
                                  rule: try optionalString(fields["rule"]), signer: try optionalString(fields["signer"]),
                                  reason: try optionalString(fields["reason"]), trust: try optionalString(fields["trust"]))
    }

    private static func app(_ node: YAMLNode) throws(Unreadable) -> AppStatus {
        let fields = try map(node)
        var tiers: [Tier: TierStatus] = [:]
        if let node = present(fields["tiers"]) {
            for entry in try entries(node) {
                guard let tier = Tier(rawValue: entry.key) else { continue }
                tiers[tier] = try self.tier(entry.value)
            }
        }
        return AppStatus(product: try optionalString(fields["product"]), tiers: tiers)
    }

    private static func tier(_ node: YAMLNode) throws(Unreadable) -> TierStatus {
        let fields = try map(node)
        var blocked: [BlockedWorkflow]?
        if let node = present(fields["blocked"]) {
            blocked = try list(node).map { item throws(Unreadable) in
                let values = try map(item)
                return BlockedWorkflow(workflow: try string(values["workflow"]), reason: try string(values["reason"]))
            }
        }
        var workflows: [WorkflowStatus]?
        if let node = present(fields["workflows"]) { workflows = try list(node).map { item throws(Unreadable) in try workflow(item) } }
        var resources: [String: [String: String]]?
        if let node = present(fields["resources"]) {
            var all: [String: [String: String]] = [:]
            for entry in try entries(node) {
                var outputs: [String: String] = [:]
                for output in try entries(entry.value) { outputs[output.key] = try string(output.value) }
                all[entry.key] = outputs
            }
            resources = all
        }
        return TierStatus(action: try enumeration(fields["action"]), result: try enumeration(fields["result"]),
                          fingerprint: try optionalString(fields["fingerprint"]), reason: try string(fields["reason"]),
                          blocked: blocked, workflows: workflows, resources: resources)
    }

    private static func workflow(_ node: YAMLNode) throws(Unreadable) -> WorkflowStatus {
        let fields = try map(node)
        let steps = try list(fields["steps"]).map { item throws(Unreadable) in
            let values = try map(item)
            var log: [String]?
            if let node = present(values["log"]) { log = try list(node).map { line throws(Unreadable) in try string(line) } }
            return StepStatus(name: try string(values["name"]), result: try string(values["result"]),
                              exitCode: try present(values["exitCode"]).map { node throws(Unreadable) in try integer(node) },
                              durationMs: try integer(values["durationMs"]), log: log,
                              logFile: try optionalString(values["logFile"]))
        }
        return WorkflowStatus(name: try string(fields["name"]), phase: try string(fields["phase"]),
                              result: try string(fields["result"]), steps: steps)
    }

    // MARK: Scalars and collections, as the Codable reader took them.

    /// The node unless absent or null.
    private static func present(_ node: YAMLNode?) -> YAMLNode? {
        guard let node, node.value != .null else { return nil }
        return node
    }

    /// A status's maps have a handful of keys: found by a scan, not a dictionary built per map.
    private struct Fields {
        let entries: [YAMLEntry]
        subscript(key: String) -> YAMLNode? { entries.first { $0.key == key }?.value }
    }

    private static func map(_ node: YAMLNode?) throws(Unreadable) -> Fields {
        Fields(entries: try entries(node))
    }

    private static func entries(_ node: YAMLNode?) throws(Unreadable) -> [YAMLEntry] {
        guard let entries = node?.entries else { throw Unreadable() }
        return entries
    }

    private static func list(_ node: YAMLNode?) throws(Unreadable) -> [YAMLNode] {
        guard let items = node?.items else { throw Unreadable() }
        return items
    }

    private static func string(_ node: YAMLNode?) throws(Unreadable) -> String {
        guard let node else { throw Unreadable() }
        switch node.value {
        case .string(let text): return text
        case .int, .float, .bool: return node.text
        default: throw Unreadable()
        }
    }

    private static func optionalString(_ node: YAMLNode?) throws(Unreadable) -> String? {
        guard let node = present(node) else { return nil }
        return try string(node)
    }

    private static func integer(_ node: YAMLNode?) throws(Unreadable) -> Int {
        guard let node, case .int(let value) = node.value else { throw Unreadable() }
        return value
    }

    private static func enumeration<T: RawRepresentable>(_ node: YAMLNode?) throws(Unreadable) -> T where T.RawValue == String {
        guard let value = T(rawValue: try string(node)) else { throw Unreadable() }
        return value
    }
}
