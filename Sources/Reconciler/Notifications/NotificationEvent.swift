import Foundation
import Planner
import Specs

/// One thing a pass found that people are told about (docs/ARCHITECTURE.md §9, notifications): the
/// JSON a webhook sink receives, and the source of a Slack message. Every field comes from the status
/// note of the pass (log lines already masked there), so an event never holds what a note may not.
public struct NotificationEvent: Codable, Sendable, Hashable {
    public var event: String
    /// The reconciled commit (a preview: the previewed one).
    public var commit: String
    public var app: String?
    public var tier: String?
    public var workflow: String?
    public var reason: String
    /// RFC 3339, UTC.
    public var time: String
    /// `blocked`: what `innominatus approve` would pin, and the command.
    public var digest: String?
    public var approve: String?
    /// `blocked`: how many apps the workflow is blocked for.
    public var apps: Int?
    /// `failed`: the step that failed and the last lines of its log (masked in the note already).
    public var step: String?
    public var log: [String]?
    /// `delivered`: the environment branch and its new commit.
    public var branch: String?
    public var environmentCommit: String?

    public init(event: NotificationConfig.Event, commit: String, app: String? = nil, tier: String? = nil, workflow: String? = nil,
                reason: String, time: String) {
        self.event = event.rawValue
        self.commit = commit
        self.app = app
        self.tier = tier
        self.workflow = workflow
        self.reason = reason
        self.time = time
    }

    public var kind: NotificationConfig.Event? { NotificationConfig.Event(rawValue: event) }

    /// What makes two events "the same" for `dedupe`: the event and its (app, tier, workflow, digest). The
    /// digest is the approve pin for `blocked`, else the commit: a failure of a new commit is news.
    var dedupeKey: String {
        [event, app ?? "-", tier ?? "-", workflow ?? "-", digest ?? commit].joined(separator: "|")
    }

    /// A one-line summary (Slack's `text`, logs).
    var summary: String {
        var subject = [app, tier.map { "\($0) tier" }, workflow].compactMap { $0 }.joined(separator: " ")
        if subject.isEmpty { subject = "pass at \(commit.prefix(12))" }
        switch event {
        case "blocked": return "Blocked: \(workflow ?? "?")" + (apps.map { " (\($0) app\($0 == 1 ? "" : "s"))" } ?? "") + ": \(reason)"
        case "failed": return "Failed: \(subject)" + (step.map { ", step \($0)" } ?? "") + ": \(reason)"
        case "stalled": return "Stalled: \(subject): \(reason)"
        case "recovered": return "Recovered: \(subject)"
        case "succeeded": return "Succeeded: \(reason)"
        case "delivered": return "Delivered: \(reason)"
        default: return "\(event): \(subject): \(reason)"
        }
    }
}

/// The events of one recorded pass, from its status and the applied state it started from. Pure.
enum PassEvents {
    /// At most this many log lines travel in a `failed` event.
    static let logLines = 10

    static func events(status: ReconcileStatus, exitCode: Int32, plan: Plan, desired: DesiredState, before: AppliedState,
                       at time: String) -> [NotificationEvent] {
        var events: [NotificationEvent] = []
        let tiersOfBlocked = Dictionary(plan.items.flatMap { item in item.blocked.map { ($0.workflow, item.tier) } },
                                        uniquingKeysWith: { first, _ in first })
        for blocked in PreviewPass.blocked(in: plan, desired: desired) {
            var event = NotificationEvent(event: .blocked, commit: status.commit, tier: tiersOfBlocked[blocked.workflow]?.rawValue,
                                          workflow: blocked.workflow, reason: blocked.reason, time: time)
            event.digest = blocked.digest
            event.approve = blocked.approve
            event.apps = blocked.apps
            events.append(event)
        }
        for (app, appStatus) in status.apps.sorted(by: { $0.key < $1.key }) {
            for (tier, tierStatus) in appStatus.tiers.sorted(by: { $0.key.order < $1.key.order }) {
                let key = PairKey(app: app, tier: tier)
                if tierStatus.action == .run, tierStatus.result == .failed {
                    let workflow = tierStatus.workflows?.first { $0.result == "failed" }
                    let step = workflow?.steps.last { $0.result == "failed" }
                    var event = NotificationEvent(event: .failed, commit: status.commit, app: app, tier: tier.rawValue,
                                                  workflow: workflow?.name, reason: tierStatus.reason, time: time)
                    event.step = step?.name
                    event.log = step?.log.map { Array($0.suffix(logLines)) }
                    events.append(event)
                } else if tierStatus.action == .stalled {
                    events.append(NotificationEvent(event: .stalled, commit: status.commit, app: app, tier: tier.rawValue,
                                                    reason: tierStatus.reason, time: time))
                } else if tierStatus.action == .run, tierStatus.result == .succeeded, before.pairs[key]?.result == .failed {
                    events.append(NotificationEvent(event: .recovered, commit: status.commit, app: app, tier: tier.rawValue,
                                                    reason: tierStatus.reason, time: time))
                }
            }
        }
        let ran = status.apps.values.reduce(0) { $0 + $1.tiers.values.count { $0.action == .run } }
        if exitCode == 0, status.result == .succeeded, ran > 0 {
            events.append(NotificationEvent(event: .succeeded, commit: status.commit, reason: CommitStatus.description(of: status),
                                            time: time))
        }
        if let delivery = status.delivery, let commit = delivery.commit {
            var event = NotificationEvent(event: .delivered, commit: status.commit,
                                          reason: "\(delivery.branch) at \(commit.prefix(12)): \(delivery.apps.count) app"
                                              + (delivery.apps.count == 1 ? "" : "s"), time: time)
            event.branch = delivery.branch
            event.environmentCommit = commit
            events.append(event)
        }
        return events
    }
}

/// A commit status as forges show it: a state and a line under 140 characters.
struct CommitStatus: Sendable, Hashable, Codable {
    enum State: String, Sendable, Codable {
        case pending, success, failure, error
    }

    var sha: String
    var state: State
    var context: String
    var description: String
    var targetURL: String?

    /// The contexts: one per pass on the reconciled commit, one per preview on the previewed commit.
    static let passContext = "innominatus"
    static let previewContext = "innominatus/preview"

    /// "412 pairs ran, 2 failed, 1 workflow blocked".
    static func description(of status: ReconcileStatus) -> String {
        if let verification = status.verification, verification.result == .refused {
            let found = [verification.path.map { "\($0) changed" }, verification.signer.map { "signer: \($0)" }].compactMap { $0 }
            return clipped("refused by the trust file, nothing ran" + (found.isEmpty ? "" : ": " + found.joined(separator: ", ")))
        }
        var ran = 0, failed = 0
        var blocked: Set<String> = []
        for app in status.apps.values {
            for tier in app.tiers.values {
                if tier.action == .run { ran += 1 }
                if tier.result == .failed { failed += 1 }
                for workflow in tier.blocked ?? [] { blocked.insert(workflow.workflow) }
            }
        }
        var parts = [ran == 0 ? "nothing ran" : "\(ran) pair\(ran == 1 ? "" : "s") ran"]
        if failed > 0 { parts.append("\(failed) failed") }
        if !blocked.isEmpty { parts.append("\(blocked.count) workflow\(blocked.count == 1 ? "" : "s") blocked") }
        if status.error != nil { parts.append("the pass could not complete") }
        return clipped(parts.joined(separator: ", "))
    }

    /// "3 pairs would run, 1 workflow blocked, 2 invalid files".
    static func description(of preview: Preview) -> String {
        let run = preview.plan.items.count { $0.action == .run }
        var parts = [run == 0 ? "nothing would run" : "\(run) pair\(run == 1 ? "" : "s") would run"]
        if !preview.blocked.isEmpty { parts.append("\(preview.blocked.count) workflow\(preview.blocked.count == 1 ? "" : "s") blocked") }
        if !preview.errors.isEmpty { parts.append("\(preview.errors.count) error\(preview.errors.count == 1 ? "" : "s")") }
        return clipped(parts.joined(separator: ", "))
    }

    /// Forges cut descriptions at 140 characters (GitHub refuses longer ones).
    static func clipped(_ text: String) -> String {
        text.count <= 139 ? text : String(text.prefix(138)) + "…"
    }
}
