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
/// innominatus-plan-memo v3
/// key       <settings>           the binary, branch and limits it was made with
/// commit    <sha>
/// applied   <blob id or ->       the applied state's blob it was planned against
/// applied-commit <sha or ->
/// apps-root <normalized appsRoot>
/// workflows-root <normalized workflowsRoot>
/// ordered   yes|no               the apps' item lines are sorted by plain app names (binary search)
/// tally     <counts>…            the summary line's counts over every item (`PlanRendering.Tally`)
/// prunes    <number>             how many item lines at the end are prune items
/// pattern   <input pattern>      one line each, every workflow's `inputs`
/// watch     <path>               a file in an app's folder that pairs of other apps depend on
/// waiting   <app>                an app with a waiting pair (planned again whatever changed)
/// listed    <app>                an app the text form lists (a pair that is not plainly unchanged)
/// renamed   <app>                an app whose Score path is not its platform pair's recorded one
/// reason    <index> <text>       reasons, workflow lists and blocked lists are stored once
/// names     <index> <name>…
/// blocked   <index> (<workflow> <reason>)…
/// item      <app> <tier> <action> <reason> <names or -> <blocked or -> <digest or -> <flags>
/// end       <checksum>           of every byte before this line
/// ```
/// Flags: `w` waiting, `g` gated, `n` does not apply, `p` a prune item (listed after the apps' items).
/// Items keep only their fingerprint's digest, which is all `plan` shows. The header says everything the
/// text form needs but the listed apps' items, so an incremental plan reads the lines of the apps it plans
/// again and of the listed ones, and copies the rest as bytes. The file is replaced whole (written aside,
/// then renamed), so a reader sees the old or the new one; one without its `end` line, whose checksum does
/// not match (a line damaged anywhere, even one it copies without reading), or with anything unexpected
/// in the lines it reads, is ignored and the plan is made in full. When only platform workflows changed,
/// every app's platform line is decided again from its recorded Score path and id (`renamed` apps, whose
/// recorded path is not their Score's, are planned again in full).
struct PlanMemo: Sendable {
    var key: String
    var commit: String
    var appliedBlob: String?
    var appliedCommit: String?
    var appsRoot: String
    var workflowsRoot = ""
    var ordered = false
    var tally = PlanRendering.Tally()
    var patterns: Set<String> = []
    var watched: Set<String> = []
    /// Apps with a waiting pair, whose decision depends on the clock: read with the header, so that the
    /// apps to plan again are known before any item is read.
    var waiting: Set<String> = []
    /// Apps of the apps' region with an item the text form prints.
    var listed: Set<String> = []
    /// Apps whose Score path differs from the one their platform pair recorded (a moved Score file with the
    /// same content, whose digest did not move).
    var renamed: Set<String> = []
    var reasons: [String] = []
    var names: [[String]] = []
    var blocked: [[BlockedWorkflow]] = []
    /// The file, and where its parts lie: the table lines, the apps' item lines, the prune items' lines.
    var bytes: [UInt8] = []
    var tableLines = 0..<0
    var appItems = 0..<0
    var pruneItems = 0..<0

    static let header = "innominatus-plan-memo v3"
    static let fileName = "plan-memo"

    static func path(workdir: String) -> String { workdir + "/" + fileName }

    /// What the memo must have been made with to be used: this binary (its size and change time), the
    /// branch, the limits.
    static func settingsKey(branch: String, limits: SpecLimits) -> String {
        var info = stat()
        let binary = stat("/proc/self/exe", &info) == 0 ? "\(info.st_size)-\(info.st_mtim.tv_sec)-\(info.st_mtim.tv_nsec)" : "?"
        return "\(binary) \(branch) \(limits.maxFileBytes) \(limits.maxExpandedNodes) \(limits.maxDepth)"
    }

    init(key: String, commit: String, appliedBlob: String?, appliedCommit: String?, appsRoot: String) {
        self.key = key
        self.commit = commit
        self.appliedBlob = appliedBlob
        self.appliedCommit = appliedCommit
        self.appsRoot = appsRoot
    }

    // MARK: writing

    /// The memo of a plan made in full: its patterns are every workflow's inputs and its watched files the
    /// components of each pair inside another app's folder (`watched(of:appsRoot:)`). `bytes` is its file.
    init(key: String, plan: Plan, desired: DesiredState, applied: AppliedState, appliedBlob: String?, appsRoot: String) {
        self.init(key: key, commit: plan.commit, appliedBlob: appliedBlob, appliedCommit: plan.appliedCommit, appsRoot: appsRoot)
        workflowsRoot = RepositoryPath.normalized(desired.config.workflowsRoot)
        patterns = Self.patterns(of: desired)
        watched = Self.watched(of: desired, appsRoot: appsRoot)
        renamed = Self.renamed(desired.apps.keys, desired: desired, applied: applied)
        // The planner lists the pairs of apps without a Score file (prunes) after every app's items, which
        // end at apps × tiers (one item per tier; checked at the seam: 30,000 lookups otherwise).
        let seam = desired.apps.count * Tier.allCases.count
        func planned(_ index: Int) -> Bool { desired.apps.index(forKey: plan.items[index].app) != nil }
        let pruneStart: Int
        if seam <= plan.items.count, seam == 0 || planned(seam - 1), seam == plan.items.count || !planned(seam) {
            pruneStart = seam
        } else {
            pruneStart = plan.items.firstIndex { desired.apps.index(forKey: $0.app) == nil } ?? plan.items.count
        }
        var encoder = ItemEncoder(memo: nil)
        var appLines: [UInt8] = []
        appLines.reserveCapacity(pruneStart * 72)
        ordered = true
        var previous: [UInt8]?
        var index = 0
        while index < pruneStart {
            let app = plan.items[index].app
            var end = index
            while end < pruneStart, plan.items[end].app == app { end += 1 }
            let group = plan.items[index..<end]
            let name = Array(app.utf8)
            if !Self.isPlain(name) || previous.map({ !$0.lexicographicallyPrecedes(name) }) ?? false { ordered = false }
            previous = name
            note(group, sign: 1)
            for item in group { encoder.append(item, prune: false, to: &appLines) }
            index = end
        }
        var pruneLines: [UInt8] = []
        for item in plan.items[pruneStart...] {
            tally.add(item)
            encoder.append(item, prune: true, to: &pruneLines)
        }
        assemble(tables: encoder.tables, appLines: [appLines[...]], pruneLines: pruneLines)
        (reasons, names, blocked) = (encoder.reasonList, encoder.nameLists, encoder.blockedLists)
    }

    /// Counts an app's items into the tally, the waiting and the listed apps (`sign` -1 takes them out).
    mutating func note(_ group: ArraySlice<PlanItem>, sign: Int) {
        guard let app = group.first?.app else { return }
        for item in group { tally.add(item, sign: sign) }
        if group.contains(where: \.waiting) { if sign > 0 { waiting.insert(app) } else { waiting.remove(app) } }
        if group.contains(where: { $0.applies && !$0.isUnchanged }) { if sign > 0 { listed.insert(app) } else { listed.remove(app) } }
    }

    /// A name whose bytes sort as the planner sorts names (ASCII) and that its line holds unescaped.
    static func isPlain<Bytes: Collection<UInt8>>(_ name: Bytes) -> Bool {
        !name.isEmpty && name.allSatisfy { $0 < 0x80 && $0 != 0x25 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
    }

    /// Sets `bytes` (and the ranges into it) to the file: the header lines, `tables`, the apps' item lines
    /// (in pieces, as an incremental plan splices them), the prune items' lines, the end line.
    mutating func assemble(tables: [UInt8], appLines: [ArraySlice<UInt8>], pruneLines: [UInt8]) {
        var out: [UInt8] = []
        out.reserveCapacity(appLines.reduce(0) { $0 + $1.count } + pruneLines.count + tables.count + 4096)
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
        line("workflows-root", Self.escape(workflowsRoot))
        line("ordered", ordered ? "yes" : "no")
        out.append(contentsOf: "tally".utf8)
        for field in tally.fields { out.append(contentsOf: "\t\(field)".utf8) }
        out.append(0x0A)
        var pruneCount = 0
        for byte in pruneLines where byte == 0x0A { pruneCount += 1 }
        line("prunes", String(pruneCount))
        for pattern in patterns.sorted() { line("pattern", Self.escape(pattern)) }
        for path in watched.sorted() { line("watch", Self.escape(path)) }
        for app in waiting.sorted() { line("waiting", Self.escape(app)) }
        for app in listed.sorted() { line("listed", Self.escape(app)) }
        for app in renamed.sorted() { line("renamed", Self.escape(app)) }
        let tablesStart = out.count
        out.append(contentsOf: tables)
        tableLines = tablesStart..<out.count
        for piece in appLines { out.append(contentsOf: piece) }
        appItems = tableLines.upperBound..<out.count
        out.append(contentsOf: pruneLines)
        pruneItems = appItems.upperBound..<out.count
        out.append(contentsOf: "end\t\(Self.checksum(out[...]))\n".utf8)
        bytes = out
    }

    /// Item lines, and the table lines they need (each reason, workflow list and blocked list once).
    struct ItemEncoder {
        var tables: [UInt8] = []
        var reasons: [String: Int] = [:]
        var names: [[String]: Int] = [:]
        var blocked: [[BlockedWorkflow]: Int] = [:]
        /// The tables in index order, as the memo holds them once decoded.
        var reasonList: [String] = []
        var nameLists: [[String]] = []
        var blockedLists: [[BlockedWorkflow]] = []

        /// Continues the tables of `memo`, copied first.
        init(memo: PlanMemo?) {
            guard let memo else { return }
            tables = Array(memo.bytes[memo.tableLines])
            for (index, reason) in memo.reasons.enumerated() where reasons[reason] == nil { reasons[reason] = index }
            for (index, list) in memo.names.enumerated() where names[list] == nil { names[list] = index }
            for (index, list) in memo.blocked.enumerated() where blocked[list] == nil { blocked[list] = index }
            reasonList = memo.reasons
            nameLists = memo.names
            blockedLists = memo.blocked
        }

        /// The index of `key` in its table, adding the table line (`kind`, index, `fields` escaped) the first time.
        static func index<Key: Hashable>(of key: Key, in table: inout [Key: Int], list: inout [Key], tables: inout [UInt8],
                                         kind: String, fields: @autoclosure () -> [String]) -> Int {
            if let known = table[key] { return known }
            let index = list.count
            list.append(key)
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
        /// The same for workflow lists (10,000 platform items running the same workflows), with the field.
        var lastNames: [([String], String)?] = Array(repeating: nil, count: Tier.allCases.count)

        mutating func append(_ item: PlanItem, prune: Bool, to body: inout [UInt8]) {
            let reason: Int
            if let (text, index) = lastReason[item.tier.order], text == item.reason { reason = index } else {
                reason = Self.index(of: item.reason, in: &reasons, list: &reasonList, tables: &tables, kind: "reason", fields: [item.reason])
                lastReason[item.tier.order] = (item.reason, reason)
            }
            let namesField: String
            if item.workflows.isEmpty {
                namesField = "-"
            } else if let (list, index) = lastNames[item.tier.order], list == item.workflows {
                namesField = index
            } else {
                namesField = String(Self.index(of: item.workflows, in: &names, list: &nameLists, tables: &tables, kind: "names",
                                               fields: item.workflows))
                lastNames[item.tier.order] = (item.workflows, namesField)
            }
            let blockedField = item.blocked.isEmpty ? "-"
                : String(Self.index(of: item.blocked, in: &blocked, list: &blockedLists, tables: &tables, kind: "blocked",
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
        _ = Workdir.replace(Self.path(workdir: workdir), with: bytes)
    }

    // MARK: an incremental plan's memo

    /// The memo of `commit` after the apps `replaced` (sorted, plain names, this memo `ordered`) were
    /// planned again into `fresh` (the planner's items of those of them with a Score file, no prunes): their
    /// lines are replaced and every other app's copied as bytes; the tally, waiting and listed apps change by
    /// the items taken out and put in. Nil when a line it reads does not decode.
    func replacing(_ replaced: [String], with fresh: [PlanItem], commit: String) -> PlanMemo? {
        var next = self
        next.commit = commit
        var encoder = ItemEncoder(memo: self)
        var pieces: [ArraySlice<UInt8>] = []
        var position = appItems.lowerBound
        var freshItems = fresh[...]
        for app in replaced {
            let range = range(of: Array(app.utf8))
            guard let old = items(in: range) else { return nil }
            next.note(old[...], sign: -1)
            pieces.append(bytes[position..<range.lowerBound])
            position = range.upperBound
            let count = freshItems.prefix { $0.app == app }.count
            let group = freshItems.prefix(count)
            freshItems = freshItems.dropFirst(count)
            next.note(group, sign: 1)
            var lines: [UInt8] = []
            for item in group { encoder.append(item, prune: false, to: &lines) }
            pieces.append(lines[...])
        }
        guard freshItems.isEmpty else { return nil }  // an item of an app not replaced, or out of order
        pieces.append(bytes[position..<appItems.upperBound])
        // Prune items of a replaced app leave (it has a Score file again, or the plan was made in full).
        guard let prunes = items(in: pruneItems) else { return nil }
        var pruneLines: [UInt8] = []
        let gone = Set(replaced)
        for item in prunes {
            if gone.contains(item.app) { next.tally.add(item, sign: -1) } else { encoder.append(item, prune: true, to: &pruneLines) }
        }
        next.assemble(tables: encoder.tables, appLines: pieces, pruneLines: pruneLines)
        (next.reasons, next.names, next.blocked) = (encoder.reasonList, encoder.nameLists, encoder.blockedLists)
        return next
    }

    /// What a plainly unchanged platform line counts in the tally.
    static let unchangedPlatformItem = PlanItem(app: "", tier: .platform, action: .skip, reason: "")

    /// Whether an app's item lets its platform line be decided again alone (docs/ARCHITECTURE.md §18): a
    /// plainly unchanged platform item, and other items skipped, neither waiting nor gated (they close no
    /// gate, and the app is in no error).
    static func keepsPlatformLine(_ item: PlanItem) -> Bool {
        item.tier == .platform ? item.isUnchanged && item.fingerprint != nil : item.action == .skip && !item.waiting && !item.gated
    }

    /// The memo of `commit` after only platform workflows changed: the apps `replaced` (sorted, plain names,
    /// this memo `ordered`, no prune items) planned again in full into `fresh`, as in `replacing`, and the
    /// platform line of every other app replaced by its item in `platform` (one per app, in the region's
    /// order), whose other lines are copied as bytes. Every item of such an app must pass `keepsPlatformLine`.
    /// Nil when a line it reads does not decode, an item fails that check, or `platform` does not name
    /// exactly the other apps.
    func replacingPlatform(_ replaced: [String], with fresh: [PlanItem], platform: [PlanItem], commit: String) -> PlanMemo? {
        guard pruneItems.isEmpty else { return nil }
        var next = self
        next.commit = commit
        var encoder = ItemEncoder(memo: self)
        var out: [UInt8] = []
        out.reserveCapacity(appItems.count + 4096)
        var freshItems = fresh[...]
        var platformItems = platform[...]
        var pending = replaced.map { Array($0.utf8) }[...]
        /// Puts in the fresh items of the next replaced app, taking out its old lines in `old`.
        func putFresh(_ old: Range<Int>) -> Bool {
            let app = String(decoding: pending.removeFirst(), as: UTF8.self)
            guard let items = items(in: old) else { return false }
            next.note(items[...], sign: -1)
            let count = freshItems.prefix { $0.app == app }.count
            let group = freshItems.prefix(count)
            freshItems = freshItems.dropFirst(count)
            next.note(group, sign: 1)
            for item in group { encoder.append(item, prune: false, to: &out) }
            return true
        }
        var line = AppliedStateCodec.Line(bytes: bytes)
        line.start = appItems.lowerBound
        var copied = appItems.lowerBound  // the bytes before it are in `out`
        while line.start < appItems.upperBound, line.next() {
            guard line.count == 9, line.is(0, "item") else { return nil }
            let name = bytes[line.ranges[1]]
            // Replaced apps before this one that the memo does not hold (new apps) go in here.
            while let first = pending.first, first.lexicographicallyPrecedes(name) {
                out.append(contentsOf: bytes[copied..<line.lineStart])
                copied = line.lineStart
                guard putFresh(line.lineStart..<line.lineStart) else { return nil }
            }
            if let first = pending.first, name.elementsEqual(first) {
                let group = range(of: first)
                guard group.lowerBound == line.lineStart else { return nil }
                out.append(contentsOf: bytes[copied..<group.lowerBound])
                copied = group.upperBound
                guard putFresh(group) else { return nil }
                line.start = group.upperBound
                continue
            }
            guard Self.tier(line) == .platform else {
                // Checked on the bytes: a skip, not waiting (`w`), not gated (`g`).
                guard line.is(3, "skip"), !line.field(8, contains: UInt8(ascii: "w")), !line.field(8, contains: UInt8(ascii: "g")) else {
                    return nil
                }
                continue
            }
            // `keepsPlatformLine` on the bytes: a plainly unchanged skip (no blocked list, no flag) with a digest.
            guard line.is(3, "skip"), line.is(6, "-"), !line.is(7, "-"), line.is(8, "-"),
                  let item = platformItems.popFirst(), item.tier == .platform, bytes[line.ranges[1]].elementsEqual(item.app.utf8) else {
                return nil
            }
            next.tally.add(Self.unchangedPlatformItem, sign: -1)
            next.tally.add(item)
            if item.applies, !item.isUnchanged { next.listed.insert(item.app) }
            out.append(contentsOf: bytes[copied..<line.lineStart])
            copied = line.start
            encoder.append(item, prune: false, to: &out)
        }
        out.append(contentsOf: bytes[copied..<appItems.upperBound])
        while !pending.isEmpty {
            guard putFresh(appItems.upperBound..<appItems.upperBound) else { return nil }
        }
        guard freshItems.isEmpty, platformItems.isEmpty else { return nil }
        next.assemble(tables: encoder.tables, appLines: [out[...]], pruneLines: [])
        (next.reasons, next.names, next.blocked) = (encoder.reasonList, encoder.nameLists, encoder.blockedLists)
        return next
    }

    // MARK: reading

    /// The workdir's memo, nil when there is none or it is not one this version wrote whole: its header
    /// and tables decoded, its items not (`items(in:)`, `range(of:)`).
    static func read(workdir: String) -> PlanMemo? {
        Workdir.contents(of: path(workdir: workdir)).flatMap(decode)
    }

    /// The header and tables of a memo file, and where its items lie; nil when they do not decode or the
    /// file does not end with its `end` line.
    static func decode(_ bytes: [UInt8]) -> PlanMemo? {
        // The end line: `end`, a tab, 16 hex digits, a newline.
        let endLength = 4 + 16 + 1
        guard bytes.count > endLength, bytes.last == 0x0A, bytes[bytes.count - endLength - 1] == 0x0A,
              bytes[(bytes.count - endLength)...].starts(with: "end\t".utf8) else { return nil }
        let endLine = bytes.count - endLength
        guard bytes[(endLine + 4)..<(bytes.count - 1)].elementsEqual(Self.checksum(bytes[..<endLine]).utf8) else { return nil }
        var memo = PlanMemo(key: "", commit: "", appliedBlob: nil, appliedCommit: nil, appsRoot: "")
        memo.bytes = bytes
        var line = AppliedStateCodec.Line(bytes: bytes)
        var prunes: Int?
        var tally: PlanRendering.Tally?
        var orderedField: Bool?
        var tablesStart: Int?
        while line.next() {
            if line.number == 1 {
                guard line.count == 1, line.string(0) == header else { return nil }
                continue
            }
            func optional(_ index: Int) -> String? { line.is(index, "-") ? nil : line.string(index) }
            if line.is(0, "item") || line.is(0, "end") {
                line.start = line.lineStart
                break
            }
            if line.is(0, "reason") || line.is(0, "names") || line.is(0, "blocked") {
                if tablesStart == nil { tablesStart = line.lineStart }
                if line.is(0, "reason") {
                    guard line.count == 3, line.integer(1) == memo.reasons.count else { return nil }
                    memo.reasons.append(line.string(2))
                } else if line.is(0, "names") {
                    guard line.count >= 3, line.integer(1) == memo.names.count else { return nil }
                    memo.names.append((2..<line.count).map { line.string($0) })
                } else {
                    guard line.count >= 4, line.count % 2 == 0, line.integer(1) == memo.blocked.count else { return nil }
                    memo.blocked.append(stride(from: 2, to: line.count, by: 2).map {
                        BlockedWorkflow(workflow: line.string($0), reason: line.string($0 + 1))
                    })
                }
                continue
            }
            // Nothing else among the tables, which are copied whole into the next memo.
            guard tablesStart == nil else { return nil }
            if line.is(0, "key") {
                memo.key = line.string(1)
            } else if line.is(0, "commit") {
                memo.commit = line.string(1)
            } else if line.is(0, "applied") {
                memo.appliedBlob = optional(1)
            } else if line.is(0, "applied-commit") {
                memo.appliedCommit = optional(1)
            } else if line.is(0, "apps-root") {
                memo.appsRoot = line.string(1)
            } else if line.is(0, "workflows-root") {
                memo.workflowsRoot = line.string(1)
            } else if line.is(0, "ordered") {
                orderedField = line.is(1, "yes")
            } else if line.is(0, "tally") {
                tally = PlanRendering.Tally(fields: (1..<line.count).compactMap { line.integer($0) })
            } else if line.is(0, "prunes") {
                prunes = line.integer(1)
            } else if line.is(0, "pattern") {
                memo.patterns.insert(line.string(1))
            } else if line.is(0, "watch") {
                memo.watched.insert(line.string(1))
            } else if line.is(0, "waiting") {
                memo.waiting.insert(line.string(1))
            } else if line.is(0, "listed") {
                memo.listed.insert(line.string(1))
            } else if line.is(0, "renamed") {
                memo.renamed.insert(line.string(1))
            } else {
                return nil
            }
        }
        guard !memo.commit.isEmpty, let tally, let prunes, let orderedField else { return nil }
        memo.tally = tally
        memo.ordered = orderedField
        let itemsStart = line.start
        memo.tableLines = (tablesStart ?? itemsStart)..<itemsStart
        // The prune items are the last `prunes` lines before the end line.
        var pruneStart = endLine
        for _ in 0..<prunes {
            guard pruneStart > itemsStart else { return nil }
            pruneStart -= 1
            while pruneStart > itemsStart, bytes[pruneStart - 1] != 0x0A { pruneStart -= 1 }
        }
        memo.appItems = itemsStart..<pruneStart
        memo.pruneItems = pruneStart..<endLine
        return memo
    }

    /// 64 bits of FNV-1a over 8-byte words, in 16 hex digits: catches a damaged or edited line anywhere in
    /// 2 MB for a fraction of a millisecond (the workdir is private: this is no defence against its owner).
    static func checksum(_ bytes: ArraySlice<UInt8>) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBytes { buffer in
            let words = buffer.count / 8
            for index in 0..<words {
                hash = (hash ^ buffer.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) &* 0x100_0000_01b3
            }
            for index in (words * 8)..<buffer.count { hash = (hash ^ UInt64(buffer[index])) &* 0x100_0000_01b3 }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The items of the lines in `range` (whole lines of the items' regions); nil when one does not decode.
    /// - Parameter digests: false leaves the items without their fingerprint (the text form prints none;
    ///   30,000 digest strings not made).
    func items(in range: Range<Int>, digests: Bool = true) -> [PlanItem]? {
        var result: [PlanItem] = []
        var line = AppliedStateCodec.Line(bytes: bytes)
        line.start = range.lowerBound
        /// The entry of `table` the field names (`.some(nil)` for `-`); nil for an index it does not hold.
        func entry<T>(_ index: Int, in table: [T]) -> T?? {
            if line.is(index, "-") { return .some(nil) }
            guard let position = line.integer(index), table.indices.contains(position) else { return nil }
            return table[position]
        }
        let pruneRegion = range.lowerBound >= pruneItems.lowerBound && !pruneItems.isEmpty
        while line.start < range.upperBound, line.next() {
            guard line.count == 9, line.is(0, "item"), let tier = Self.tier(line), let action = Self.action(line),
                  let reason = line.integer(4), reasons.indices.contains(reason),
                  let workflows = entry(5, in: names), let blockedList = entry(6, in: blocked),
                  line.field(8, contains: UInt8(ascii: "p")) == pruneRegion else { return nil }
            result.append(PlanItem(app: line.string(1), tier: tier, action: action, reason: reasons[reason],
                                   workflows: workflows ?? [], blocked: blockedList ?? [],
                                   fingerprint: !digests || line.is(7, "-") ? nil
                                       : Fingerprint(shared: [:], scorePath: "", scoreID: "", digest: line.string(7)),
                                   waiting: line.field(8, contains: UInt8(ascii: "w")),
                                   gated: line.field(8, contains: UInt8(ascii: "g")),
                                   applies: !line.field(8, contains: UInt8(ascii: "n"))))
        }
        return line.start == range.upperBound || range.isEmpty ? result : nil
    }

    /// Every item, in the plan's order (the JSON form prints them all).
    func allItems(digests: Bool = true) -> [PlanItem]? {
        guard let apps = items(in: appItems, digests: digests), let prunes = items(in: pruneItems, digests: digests) else { return nil }
        return apps + prunes
    }

    /// The items the text form prints: the listed apps' and the prune items, in the plan's order, without
    /// their fingerprints.
    func listedItems() -> [PlanItem]? {
        // Most apps listed (a platform workflow changed): one pass over every line beats a search per app, and
        // the text form leaves out the apps that are not listed itself. A search and an app's three lines cost
        // about what a dozen lines decoded in a row do, and a line is about 70 bytes.
        if listed.count * 12 * 70 > appItems.count { return allItems(digests: false) }
        var result: [PlanItem] = []
        for app in listed.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let items = items(in: range(of: Array(app.utf8)), digests: false) else { return nil }
            result += items
        }
        guard let prunes = items(in: pruneItems, digests: false) else { return nil }
        return result + prunes
    }

    /// The bytes of the lines of `app` in the apps' region, which is `ordered` (empty, where they would go,
    /// when it has none): a binary search over line starts, then the few lines of that app.
    func range(of app: [UInt8]) -> Range<Int> {
        var low = appItems.lowerBound
        var high = appItems.upperBound
        // The app field of the line starting at `start`, and where the next line starts.
        func line(at start: Int) -> (name: ArraySlice<UInt8>, next: Int) {
            let nameStart = min(start + 5, appItems.upperBound)  // after "item\t"
            var nameEnd = nameStart
            while nameEnd < appItems.upperBound, bytes[nameEnd] != 0x09, bytes[nameEnd] != 0x0A { nameEnd += 1 }
            var next = nameEnd
            while next < appItems.upperBound, bytes[next] != 0x0A { next += 1 }
            return (bytes[nameStart..<nameEnd], min(next + 1, appItems.upperBound))
        }
        while low < high {
            var start = (low + high) / 2
            while start > low, bytes[start - 1] != 0x0A { start -= 1 }
            let (name, next) = line(at: start)
            if name.lexicographicallyPrecedes(app) { low = next } else { high = start }
        }
        var end = low
        while end < appItems.upperBound {
            let (name, next) = line(at: end)
            guard name.elementsEqual(app) else { break }
            end = next
        }
        return low..<end
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

    /// Those of `apps` whose Score path is not the one their platform pair recorded.
    static func renamed<Apps: Sequence<String>>(_ apps: Apps, desired: DesiredState, applied: AppliedState) -> Set<String> {
        var renamed: Set<String> = []
        for name in apps {
            guard let app = desired.apps[name],
                  let recorded = applied.pairs[PairKey(app: name, tier: .platform)]?.fingerprint?.scorePath else { continue }
            if recorded != app.scorePath { renamed.insert(name) }
        }
        return renamed
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
