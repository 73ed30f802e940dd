import Foundation
import GitKit
import Planner
import Reconciler
import TestSupport

/// A platform repository of `apps` apps whose every step sleeps a little and then appends
/// `<commit> <app> <tier>` to a marker file (append-only), so tests count exactly how often each pair
/// ran for each version of its inputs.
///
/// Each app has a platform pair (the platform workflow `gate`) and an application pair (its own
/// `deploy`). The test changes inputs only through `change`, which keeps the version of every pair
/// at every commit: a Score change moves both pairs of its app, a platform workflow change moves every
/// platform pair. Every step process carries `marker` in its command line (it runs a copy of `sleep`
/// named after it), so a test can look for step processes that outlived the reconciler.
struct ChaosRepository {
    let git: GitFixture
    let markers: String
    let marker: String
    let appNames: [String]
    let stepSleep: String
    /// Per app, the image tag its Score file holds; and the platform workflow's revision.
    private(set) var scoreRevision: [String: Int] = [:]
    private(set) var platformRevision = 1
    /// Per pair (`app/tier`), its current version.
    private(set) var version: [String: Int] = [:]
    /// Per commit, the version of every pair at that commit.
    private(set) var versions: [String: [String: Int]] = [:]
    private(set) var head = ""

    init(apps: Int, stepSleep: String = "0.02", extraFiles: [String: String] = [:]) throws {
        git = try GitFixture()
        markers = git.root.appending("markers.log")
        marker = "chaosmark" + UUID().uuidString.prefix(8).lowercased()
        self.stepSleep = stepSleep
        FileManager.default.createFile(atPath: markers, contents: nil, attributes: [.posixPermissions: 0o666])
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: git.root.appending(marker + "-sleep"))
        appNames = (0..<apps).map { String(format: "app%02d", $0) }
        var files = extraFiles
        files["README.md"] = "# chaos platform\n"
        files["policies/admin-config.yaml"] = "workflowPolicies:\n  requiredPlatformWorkflows: [gate]\n"
        files["workflows/platform/gate.yaml"] = workflow("PlatformWorkflow", "gate", revision: 1)
        for app in appNames {
            scoreRevision[app] = 1
            files["apps/\(app)/score.yaml"] = Self.score(app, revision: 1)
            files["apps/\(app)/workflows/deploy.yaml"] = workflow("Workflow", "deploy", revision: 1)
            version["\(app)/platform"] = 1
            version["\(app)/application"] = 1
        }
        head = try git.commit(files, message: "initial platform repository")
        try git.push()
        versions[head] = version
    }

    var pairs: [String] { version.keys.sorted() }

    func workflow(_ kind: String, _ name: String, revision: Int) -> String {
        let command = "\(git.root.appending(marker + "-sleep")) \(stepSleep); echo \"$COMMIT $APP_NAME $TIER\" >> \(markers)"
        return """
            apiVersion: workflow.dev/v1
            kind: \(kind)
            metadata:
              name: \(name)
              description: revision \(revision)
            spec:
              steps:
                - name: go
                  type: shell
                  run: '\(command.replacingOccurrences(of: "'", with: "''"))'

            """
    }

    static func score(_ name: String, revision: Int) -> String {
        "apiVersion: score.dev/v1b1\nmetadata:\n  name: \(name)\ncontainers:\n  main:\n    image: nginx:1.\(revision)\n"
    }

    /// Changes the Score files of `apps` (both their pairs re-run) and, when asked, the platform workflow
    /// (every platform pair re-runs); commits and pushes. Returns the new head.
    @discardableResult
    mutating func change(apps: [String], platform: Bool = false, extra: [String: String?] = [:]) throws -> String {
        var files = extra
        for app in apps {
            scoreRevision[app, default: 1] += 1
            files["apps/\(app)/score.yaml"] = Self.score(app, revision: scoreRevision[app]!)
            version["\(app)/platform", default: 1] += 1
            version["\(app)/application", default: 1] += 1
        }
        if platform {
            platformRevision += 1
            files["workflows/platform/gate.yaml"] = workflow("PlatformWorkflow", "gate", revision: platformRevision)
            for app in appNames { version["\(app)/platform", default: 1] += 1 }
        }
        head = try git.commit(files, message: "change \(apps.joined(separator: ","))\(platform ? " +platform" : "")")
        try git.push()
        versions[head] = version
        return head
    }

    /// Marker lines as (commit, pair) — a line that does not parse is returned as a problem.
    func markerLines() throws -> (runs: [(commit: String, pair: String)], problems: [String]) {
        let text = try String(contentsOfFile: markers, encoding: .utf8)
        var runs: [(commit: String, pair: String)] = []
        var problems: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 3, versions[fields[0]] != nil, version["\(fields[1])/\(fields[2])"] != nil else {
                problems.append("unparsable marker line \"\(line)\"")
                continue
            }
            runs.append((commit: fields[0], pair: "\(fields[1])/\(fields[2])"))
        }
        return (runs, problems)
    }

    /// How many times each (pair, version of its inputs) ran.
    func runCounts() throws -> [PairVersion: Int] {
        var counts: [PairVersion: Int] = [:]
        for run in try markerLines().runs {
            counts[PairVersion(pair: run.pair, version: versions[run.commit]![run.pair]!), default: 0] += 1
        }
        return counts
    }

    /// How many times each pair ran at each commit.
    func runsByCommit() throws -> [String: [String: Int]] {
        var counts: [String: [String: Int]] = [:]
        for run in try markerLines().runs { counts[run.commit, default: [:]][run.pair, default: 0] += 1 }
        return counts
    }

    /// The remote's applied state (`refs/innominatus/applied`), nil when there is none yet; throws when it
    /// does not parse.
    func appliedState() throws -> AppliedState? {
        guard (try? git.remoteGit("rev-parse", "--verify", "-q", AppliedStateStore.ref)) != nil else { return nil }
        // `git notes --ref` would look under refs/notes/: read the notes tree's entry for the key directly.
        let text = try git.remoteGit("cat-file", "-p", "\(AppliedStateStore.ref):\(AppliedStateStore.key.hex)")
        return try AppliedStateCodec.decode(Array((text + "\n").utf8))
    }

    /// Problems with the remote's notes: every note must hold only `ReconcileStatus` documents that parse,
    /// each about the commit it annotates, plus any `foreign` documents (other writers' text) left as written.
    func noteProblems(foreign: Set<String> = []) throws -> (problems: [String], statuses: Int) {
        guard (try? git.remoteGit("rev-parse", "--verify", "-q", "refs/notes/innominatus")) != nil else { return ([], 0) }
        var problems: [String] = []
        var count = 0
        for line in try git.remoteGit("notes", "--ref=innominatus", "list").split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 2 else { problems.append("notes list line \(line)"); continue }
            let text = try git.remoteGit("cat-file", "-p", fields[0])
            let declared = text.components(separatedBy: "kind: ReconcileStatus").count - 1
            let statuses = StatusNote.allStatuses(in: text + "\n")
            count += statuses.count
            if statuses.count != declared {
                problems.append("note on \(fields[1].prefix(12)): \(declared) status documents, \(statuses.count) parse")
            }
            for status in statuses where status.commit != fields[1] {
                problems.append("note on \(fields[1].prefix(12)) holds a status of \(status.commit.prefix(12))")
            }
        }
        return (problems, count)
    }

    /// Problems with `refs/innominatus/*` on the remote: the applied state must decode, a lease must name a
    /// holder and an expiry, and nothing else may be there.
    func stateRefProblems() throws -> [String] {
        var problems: [String] = []
        let refs = try git.remoteGit("for-each-ref", "--format=%(refname)", "refs/innominatus/").split(separator: "\n")
        for ref in refs.map(String.init) {
            if ref == AppliedStateStore.ref {
                do { _ = try appliedState() } catch { problems.append("\(ref): \(error)") }
            } else if ref.hasPrefix("refs/innominatus/lease/") {
                let message = try git.remoteGit("log", "-1", "--format=%B", ref)
                let json = (try? JSONSerialization.jsonObject(with: Data(message.utf8))) as? [String: Any]
                if json?["holder"] as? String == nil || json?["expires"] as? Double == nil {
                    problems.append("\(ref): lease message does not parse: \(message)")
                }
            } else {
                problems.append("unexpected ref \(ref)")
            }
        }
        return problems
    }
}

/// A pair and the version of its inputs.
struct PairVersion: Hashable, CustomStringConvertible {
    var pair: String
    var version: Int
    var description: String { "\(pair)@v\(version)" }
}
