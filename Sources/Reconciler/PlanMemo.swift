import Foundation
import Glibc
import Planner
import Specs

/// The last plan a `plan` process made, kept in the workdir so that the next one plans only the apps
/// whose files changed since (docs/ARCHITECTURE.md §18): the commit and applied-state blob it was made
/// for, its items, and what says whether a change can reach other apps (workflow input patterns, and
/// files inside one app's folder that another app's pairs depend on).
///
/// Tab-separated lines, like the applied state's stored form:
/// ```
/// innominatus-plan-memo v1
/// key       <settings>           the binary, branch and limits it was made with
/// commit    <sha>
/// applied   <blob id or ->       the applied state's blob it was planned against
/// applied-commit <sha or ->
/// apps-root <normalized appsRoot>
/// pattern   <input pattern>      one line each, every workflow's `inputs`
/// watch     <path>               a file in an app's folder that pairs of other apps depend on
/// waiting   <app>                an app with a waiting pair (planned again whatever changed)
/// reason    <index> <text>       reasons, workflow lists and blocked lists are stored once
/// names     <index> <name>…
/// blocked   <index> (<workflow> <reason>)…
/// item      <app> <tier> <action> <reason> <names or -> <blocked or -> <digest or -> <flags>
/// end
/// ```
/// Flags: `w` waiting, `g` gated, `n` does not apply, `p` a prune item (listed after the apps' items).
/// Items keep only their fingerprint's digest, which is all `plan` shows. The file is replaced whole
/// (written aside, then renamed), so a reader sees the old or the new one; one without its `end` line, or
/// with anything unexpected, is ignored and the plan is made in full.
struct PlanMemo: Sendable {
    var key: String
    var commit: String
    var appliedBlob: String?
    var appliedCommit: String?
    var appsRoot: String
    var patterns: Set<String>
    var watched: Set<String>
    /// Apps with a waiting pair, whose decision depends on the clock: read with the header, so that the
    /// apps to plan again are known before the items are decoded.
    var waiting: Set<String> = []
    /// The plan's items, in the plan's order.
    var items: [PlanItem]
    /// Where the items of apps without a Score file (prunes) start: the planner lists them last.
    var pruneStart: Int
    /// The file a decoded memo came from; with `origins`, the next memo copies the lines of the items it
    /// keeps instead of encoding 30,000 items again.
    var source: Source?
    /// Per item, its index in `source` when it was kept from there unchanged; nil for a fresh item.
    var origins: [Int?]?

    struct Source: Sendable {
        var bytes: [UInt8]
        /// The table lines (reasons, workflow lists, blocked lists), which all come before the items.
        var tables: Range<Int>
        var itemLines: [Range<Int>]
        var reasons: [String]
        var names: [[String]]
        var blocked: [[BlockedWorkflow]]
    }

    static let header = "innominatus-plan-memo v1"
    static let fileName = "plan-memo"

    static func path(workdir: String) -> String { workdir + "/" + fileName }

    /// What the memo must have been made with to be used: this binary (its size and change time), the
    /// branch, the limits.
    static func settingsKey(branch: String, limits: SpecLimits) -> String {
        var info = stat()
        let binary = stat("/proc/self/exe", &info) == 0 ? "\(info.st_size)-\(info.st_mtim.tv_sec)-\(info.st_mtim.tv_nsec)" : "?"
        return "\(binary) \(branch) \(limits.maxFileBytes) \(limits.maxExpandedNodes) \(limits.maxDepth)"
    }

    /// Whether the memo holds items of `app`: a binary search of the apps' items (sorted by name), then the
    /// few prune items.
    func hasItems(of app: String) -> Bool {
        var low = 0
        var high = pruneStart
        while low < high {
            let middle = (low + high) / 2
            if items[middle].app < app { low = middle + 1 } else { high = middle }
        }
        if low < pruneStart, items[low].app == app { return true }
        return items[pruneStart...].contains { $0.app == app }
    }

    /// The plan with its items (the memo's own, with the digest only).
    func plan() -> Plan {
        Plan(commit: commit, appliedCommit: appliedCommit, items: items)
    }

    init(key: String, commit: String, appliedBlob: String?, appliedCommit: String?, appsRoot: String,
         patterns: Set<String> = [], watched: Set<String> = [], items: [PlanItem] = [], pruneStart: Int = 0) {
        self.key = key
        self.commit = commit
        self.appliedBlob = appliedBlob
        self.appliedCommit = appliedCommit
        self.appsRoot = appsRoot
        self.patterns = patterns
        self.watched = watched
        self.items = items
        self.pruneStart = pruneStart
    }

    // MARK: writing

    /// The memo of a plan made in full: its patterns are every workflow's inputs and its watched files the
    /// components of each pair inside another app's folder (`watched(of:appsRoot:)`).
    init(key: String, plan: Plan, desired: DesiredState, appliedBlob: String?, appsRoot: String) {
        self.key = key
        commit = plan.commit
        self.appliedBlob = appliedBlob
        appliedCommit = plan.appliedCommit
        self.appsRoot = appsRoot
        patterns = Self.patterns(of: desired)
        watched = []
        // The planner lists the pairs of apps without a Score file (prunes) after every app's items.
        // The planner gives each app one item per tier, so they end at apps × tiers (checked at the seam:
        // 30,000 lookups otherwise).
        let seam = desired.apps.count * Tier.allCases.count
        func planned(_ index: Int) -> Bool { desired.apps.index(forKey: plan.items[index].app) != nil }
        if seam <= plan.items.count, seam == 0 || planned(seam - 1), seam == plan.items.count || !planned(seam) {
            pruneStart = seam
        } else {
            pruneStart = plan.items.firstIndex { desired.apps.index(forKey: $0.app) == nil } ?? plan.items.count
        }
        items = plan.items
        watched = Self.watched(of: desired, appsRoot: appsRoot)
    }

    /// Every workflow's `inputs` patterns.
    static func patterns(of desired: DesiredState) -> Set<String> {
        var patterns: Set<String> = []
        func add(_ workflows: [DesiredWorkflow]) {
            for workflow in workflows { for pattern in workflow.workflow?.inputs ?? [] { patterns.insert(pattern) } }
        }
        add(desired.platformWorkflows)
        for workflows in desired.productWorkflows.values { add(workflows) }
        for app in desired.apps.values { add(app.workflows) }
        return patterns
    }

    /// Fingerprint components that lie in one app's folder yet belong to a pair of another app. A pair's
    /// components are its tier's workflow files and their resolved `inputs` (`WorkflowPolicy.components`),
    /// step types (not paths) and, for the application tier, the provisioner inputs; so they are read from
    /// the desired state, not from 30,000 items' fingerprints.
    static func watched(of desired: DesiredState, appsRoot: String) -> Set<String> {
        let prefix = appsRoot + "/"
        var watched: Set<String> = []
        func add<Paths: Sequence<String>>(_ paths: Paths, own: String?) {
            for path in paths where path.hasPrefix(prefix) && !(own.map(path.hasPrefix) ?? false) { watched.insert(path) }
        }
        for workflow in desired.platformWorkflows + desired.productWorkflows.values.joined() {
            add([workflow.path], own: nil)
            add(workflow.inputs.keys, own: nil)
        }
        for app in desired.apps.values {
            let own = prefix + app.name + "/"
            for workflow in app.workflows {
                add([workflow.path], own: own)
                add(workflow.inputs.keys, own: own)
            }
            add(app.provisionerInputs.keys, own: own)
        }
        return watched
    }

    /// Whether a memo can be made for this layout: the admin config, the workflows and the provisioners must
    /// lie outside `appsRoot`, or a change to them would pass for an app's.
    static func usable(config: AdminConfig, appsRoot: String) -> Bool {
        guard !appsRoot.isEmpty else { return false }
        let apps = appsRoot + "/"
        let shared = [RepositoryPath.normalized(config.workflowsRoot) + "/", "provisioners/"] + AdminConfig.repositoryPaths
        return !shared.contains { $0.hasPrefix(apps) || apps.hasPrefix($0) }
    }

    /// The memo's file: its own lines, then the tables and the items. Items kept from `source` are copied
    /// as they were (their tables are copied too); only fresh items are encoded.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.count * 72 + 4096)
        func line(_ fields: String...) {
            for (index, field) in fields.enumerated() {
                if index > 0 { out.append(0x09) }
                out.append(contentsOf: field.utf8)
            }
            out.append(0x0A)
        }
        line(Self.header)
        line("key", Self.escape(key))
        line("commit", commit)
        line("applied", appliedBlob ?? "-")
        line("applied-commit", appliedCommit ?? "-")
        line("apps-root", Self.escape(appsRoot))
        for pattern in patterns.sorted() { line("pattern", Self.escape(pattern)) }
        for path in watched.sorted() { line("watch", Self.escape(path)) }
        for app in Set(items.lazy.filter(\.waiting).map(\.app)).sorted() { line("waiting", Self.escape(app)) }
        // Bound once: reading them through the optional tuple in the loop copied it (six retains) per item.
        let kept = origins.flatMap { origins in source.map { (origins, $0) } }
        let keptOrigins = kept?.0 ?? []
        let keptLines = kept?.1.itemLines ?? []
        let keptBytes = kept?.1.bytes ?? []
        var encoder = ItemEncoder(source: kept?.1)
        var body: [UInt8] = []
        body.reserveCapacity(items.count * 64)
        // Kept lines that follow each other in the source are copied as one run.
        var run: Range<Int>?
        func flush() {
            if let range = run { body.append(contentsOf: keptBytes[range]) }
            run = nil
        }
        for position in items.indices {
            if !keptOrigins.isEmpty, let origin = keptOrigins[position] {
                let line = keptLines[origin]
                if let range = run, range.upperBound == line.lowerBound { run = range.lowerBound..<line.upperBound } else {
                    flush()
                    run = line
                }
            } else {
                flush()
                encoder.append(items[position], prune: position >= pruneStart, to: &body)
            }
        }
        flush()
        out.append(contentsOf: encoder.tables)
        out.append(contentsOf: body)
        out.append(contentsOf: "end\n".utf8)
        return out
    }

    /// Item lines, and the table lines they need (each reason, workflow list and blocked list once).
    struct ItemEncoder {
        var tables: [UInt8] = []
        var reasons: [String: Int] = [:]
        var names: [[String]: Int] = [:]
        var blocked: [[BlockedWorkflow]: Int] = [:]

        /// Continues the tables of `source`, copied first.
        init(source: Source?) {
            guard let source else { return }
            tables = Array(source.bytes[source.tables])
            for (index, reason) in source.reasons.enumerated() where reasons[reason] == nil { reasons[reason] = index }
            for (index, list) in source.names.enumerated() where names[list] == nil { names[list] = index }
            for (index, list) in source.blocked.enumerated() where blocked[list] == nil { blocked[list] = index }
            nextReason = source.reasons.count
            nextNames = source.names.count
            nextBlocked = source.blocked.count
        }

        var nextReason = 0, nextNames = 0, nextBlocked = 0

        /// The index of `key` in its table, adding the table line (`kind`, index, `fields` escaped) the first time.
        static func index<Key: Hashable>(of key: Key, in table: inout [Key: Int], next: inout Int, tables: inout [UInt8],
                                         kind: String, fields: @autoclosure () -> [String]) -> Int {
            if let known = table[key] { return known }
            let index = next
            next += 1
            table[key] = index
            tables.append(contentsOf: (kind + "\t\(index)" + fields().map { "\t" + PlanMemo.escape($0) }.joined() + "\n").utf8)
            return index
        }

        /// A field and its tab, copied from the string's UTF-8 storage.
        static func field(_ text: String, _ body: inout [UInt8]) {
            var text = text
            text.withUTF8 { body.append(contentsOf: $0) }
            body.append(0x09)
        }

        /// The last reason of each tier and its index: most items of a tier share one reason string ("platform
        /// tier: unchanged"), and comparing a string with itself is cheaper than hashing it.
        var lastReason: [(String, Int)?] = Array(repeating: nil, count: Tier.allCases.count)

        mutating func append(_ item: PlanItem, prune: Bool, to body: inout [UInt8]) {
            let reason: Int
            if let (text, index) = lastReason[item.tier.order], text == item.reason { reason = index } else {
                reason = Self.index(of: item.reason, in: &reasons, next: &nextReason, tables: &tables, kind: "reason", fields: [item.reason])
                lastReason[item.tier.order] = (item.reason, reason)
            }
            let namesField = item.workflows.isEmpty ? "-"
                : String(Self.index(of: item.workflows, in: &names, next: &nextNames, tables: &tables, kind: "names", fields: item.workflows))
            let blockedField = item.blocked.isEmpty ? "-"
                : String(Self.index(of: item.blocked, in: &blocked, next: &nextBlocked, tables: &tables, kind: "blocked",
                                    fields: item.blocked.flatMap { [$0.workflow, $0.reason] }))
            Self.field("item", &body)
            Self.field(PlanMemo.escape(item.app), &body)
            Self.field(item.tier.rawValue, &body)
            Self.field(item.action.rawValue, &body)
            Self.field(String(reason), &body)
            Self.field(namesField, &body)
            Self.field(blockedField, &body)
            Self.field(item.fingerprint?.digest ?? "-", &body)
            let flagCount = body.count
            if item.waiting { body.append(UInt8(ascii: "w")) }
            if item.gated { body.append(UInt8(ascii: "g")) }
            if !item.applies { body.append(UInt8(ascii: "n")) }
            if prune { body.append(UInt8(ascii: "p")) }
            if body.count == flagCount { body.append(UInt8(ascii: "-")) }
            body.append(0x0A)
        }
    }

    /// Replaces the workdir's memo; a memo that cannot be written only makes the next plan a full one.
    func write(workdir: String) {
        _ = Workdir.replace(Self.path(workdir: workdir), with: encoded())
    }

    /// The applied state's bytes as they were planned against, uncompressed beside the memo
    /// (`plan-memo.applied`, first line `innominatus-applied-copy <blob id> [ordered]`): an incremental plan
    /// finds a few apps' lines there instead of inflating the 4 MB blob of 10,000 apps — by binary search
    /// when the first line says `ordered` (`AppliedStateCodec.isOrderedForSearch`, checked when written).
    static func appliedCopyPath(workdir: String) -> String { path(workdir: workdir) + ".applied" }

    static func appliedCopyHeader(blob: String, ordered: Bool) -> [UInt8] {
        Array("innominatus-applied-copy \(blob)\(ordered ? " ordered" : "")\n".utf8)
    }

    /// Writes the copy unless it already holds `blob`.
    static func writeAppliedCopy(workdir: String, blob: String, bytes: [UInt8]) {
        let path = appliedCopyPath(workdir: workdir)
        if let handle = FileHandle(forReadingAtPath: path) {
            defer { try? handle.close() }
            let longest = appliedCopyHeader(blob: blob, ordered: true)
            if let start = try? handle.read(upToCount: longest.count).map(Array.init),
               start == longest || start.starts(with: appliedCopyHeader(blob: blob, ordered: false)) {
                return
            }
        }
        let ordered = bytes.withUnsafeBytes(AppliedStateCodec.isOrderedForSearch)
        _ = Workdir.replace(path, with: appliedCopyHeader(blob: blob, ordered: ordered) + bytes)
    }

    /// `body` over the copy's state bytes (mapped, not read) and whether they are ordered for search, when
    /// the copy holds `blob`; nil otherwise.
    static func withAppliedCopy<T>(workdir: String, blob: String, _ body: (UnsafeRawBufferPointer, Bool) -> T) -> T? {
        let descriptor = open(appliedCopyPath(workdir: workdir), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size > 0 else { return nil }
        let size = Int(info.st_size)
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), map != MAP_FAILED else { return nil }
        defer { munmap(map, size) }
        let all = UnsafeRawBufferPointer(start: map, count: size)
        for ordered in [true, false] {
            let header = appliedCopyHeader(blob: blob, ordered: ordered)
            if all.starts(with: header) { return body(UnsafeRawBufferPointer(rebasing: all[header.count...]), ordered) }
        }
        return nil
    }

    // MARK: reading

    /// The workdir's memo, nil when there is none or it is not one this version wrote whole.
    /// The memo's own lines (key, commit, applied state, patterns, watched files) without its items, and
    /// the file's bytes: enough to decide whether to use it before decoding 30,000 items.
    static func readHeader(workdir: String) -> (header: PlanMemo, bytes: [UInt8])? {
        guard let bytes = Workdir.contents(of: path(workdir: workdir)) else { return nil }
        return decode(bytes, headerOnly: true).map { ($0, bytes) }
    }

    /// - Parameter headerOnly: stop at the first table or item line (the memo then has no items and is not
    ///   checked for its end line).
    static func decode(_ bytes: [UInt8], headerOnly: Bool = false) -> PlanMemo? {
        var memo = PlanMemo(key: "", commit: "", appliedBlob: nil, appliedCommit: nil, appsRoot: "")
        var reasons: [String] = []
        var names: [[String]] = []
        var blocked: [[BlockedWorkflow]] = []
        var ended = false
        var line = AppliedStateCodec.Line(bytes: bytes)
        memo.items.reserveCapacity(bytes.count / 64)
        var itemLines: [Range<Int>] = []
        itemLines.reserveCapacity(bytes.count / 64)
        var tables: Range<Int>?
        /// A table line after an item line: decodable, but the next memo encodes every item again.
        var tablesFirst = true
        while line.next() {
            if line.number == 1 {
                guard line.count == 1, line.string(0) == header else { return nil }
                continue
            }
            if line.count == 1, line.is(0, "") { continue }
            guard !ended else { return nil }
            func optional(_ index: Int) -> String? { line.is(index, "-") ? nil : line.string(index) }
            /// The entry of `table` the field names (`.some(nil)` for `-`); nil for an index it does not hold.
            func entry<T>(_ index: Int, in table: [T]) -> T?? {
                if line.is(index, "-") { return .some(nil) }
                guard let position = line.integer(index), table.indices.contains(position) else { return nil }
                return table[position]
            }
            // The tables are copied whole into the next memo: nothing else may lie among them.
            if tables != nil, !line.is(0, "item"), !line.is(0, "reason"), !line.is(0, "names"), !line.is(0, "blocked"),
               !line.is(0, "end") {
                tablesFirst = false
            }
            if headerOnly, line.is(0, "item") || line.is(0, "reason") || line.is(0, "names") || line.is(0, "blocked") {
                return memo.commit.isEmpty ? nil : memo
            }
            if line.is(0, "item") {
                guard line.count == 9, let tier = Self.tier(line), let action = Self.action(line),
                      let reason = line.integer(4), reasons.indices.contains(reason),
                      let workflows = entry(5, in: names), let blockedList = entry(6, in: blocked) else { return nil }
                let fingerprint = optional(7).map { Fingerprint(shared: [:], scorePath: "", scoreID: "", digest: $0) }
                let prune = line.field(8, contains: UInt8(ascii: "p"))
                guard prune || memo.pruneStart == memo.items.count else { return nil }  // prunes come last
                memo.items.append(PlanItem(app: line.string(1), tier: tier, action: action, reason: reasons[reason],
                                           workflows: workflows ?? [], blocked: blockedList ?? [], fingerprint: fingerprint,
                                           waiting: line.field(8, contains: UInt8(ascii: "w")),
                                           gated: line.field(8, contains: UInt8(ascii: "g")),
                                           applies: !line.field(8, contains: UInt8(ascii: "n"))))
                if !prune { memo.pruneStart = memo.items.count }
                itemLines.append(line.lineStart..<line.start)
            } else if line.is(0, "reason") || line.is(0, "names") || line.is(0, "blocked") {
                if !itemLines.isEmpty { tablesFirst = false }
                tables = (tables?.lowerBound ?? line.lineStart)..<line.start
                if line.is(0, "reason") {
                    guard line.count == 3, line.integer(1) == reasons.count else { return nil }
                    reasons.append(line.string(2))
                } else if line.is(0, "names") {
                    guard line.count >= 3, line.integer(1) == names.count else { return nil }
                    names.append((2..<line.count).map { line.string($0) })
                } else {
                    guard line.count >= 4, line.count % 2 == 0, line.integer(1) == blocked.count else { return nil }
                    blocked.append(stride(from: 2, to: line.count, by: 2).map {
                        BlockedWorkflow(workflow: line.string($0), reason: line.string($0 + 1))
                    })
                }
            } else if line.is(0, "key") {
                memo.key = line.string(1)
            } else if line.is(0, "commit") {
                memo.commit = line.string(1)
            } else if line.is(0, "applied") {
                memo.appliedBlob = optional(1)
            } else if line.is(0, "applied-commit") {
                memo.appliedCommit = optional(1)
            } else if line.is(0, "apps-root") {
                memo.appsRoot = line.string(1)
            } else if line.is(0, "pattern") {
                memo.patterns.insert(line.string(1))
            } else if line.is(0, "watch") {
                memo.watched.insert(line.string(1))
            } else if line.is(0, "waiting") {
                memo.waiting.insert(line.string(1))
            } else if line.is(0, "end") {
                ended = true
            }
        }
        guard ended, !memo.commit.isEmpty else { return nil }
        if tablesFirst {
            memo.source = Source(bytes: bytes, tables: tables ?? 0..<0, itemLines: itemLines, reasons: reasons, names: names,
                                 blocked: blocked)
        }
        return memo
    }

    static func escape(_ text: String) -> String { AppliedStateCodec.escape(text) }

    /// Field 2 of an item line, compared as bytes (30,000 items: no string made for it).
    static func tier(_ line: AppliedStateCodec.Line) -> Tier? {
        line.is(2, "platform") ? .platform : line.is(2, "product") ? .product : line.is(2, "application") ? .application : nil
    }

    static func action(_ line: AppliedStateCodec.Line) -> PlanItem.Action? {
        if line.is(3, "skip") { return .skip }
        if line.is(3, "run") { return .run }
        if line.is(3, "blocked") { return .blocked }
        if line.is(3, "error") { return .error }
        if line.is(3, "prune") { return .prune }
        if line.is(3, "stalled") { return .stalled }
        if line.is(3, "suspended") { return .suspended }
        return nil
    }
}
