import Foundation

extension DesiredStateLoader {
    /// Reads the parse cache of `workdir` made with `key` (docs/ARCHITECTURE.md §19), once per loader: a loop
    /// reads it at its first pass and then keeps what it knows in memory, as before.
    mutating func openParseCache(workdir: String, key: String) {
        if let open = parseCache, open.path == workdir + "/" + ParseCache.fileName, open.key == key { return }
        parseCache = ParseCache(workdir: workdir, key: key)
    }

    /// After a load that parsed anything: replaces the cache with the entries that load used (and, after a
    /// `partial` load that did not read every folder, every entry known). Returns the entries written.
    @discardableResult
    mutating func saveParseCache(partial: Bool) -> Int? {
        parseCache?.write(keepingUnused: partial)
    }

    /// One line for INNOMINATUS_TIMINGS: what the load parsed and what it took from the parse cache.
    var costSummary: String {
        func tally(_ name: String, _ tally: LoadCosts.Tally) -> String {
            let (seconds, attoseconds) = tally.time.components
            return "\(name) \(tally.count) in " + String(format: "%.2f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
        }
        var text = "parsed \(parsedBlobs) blobs (\(tally("scores", costs.parsedScores)), \(tally("workflows", costs.parsedWorkflows)), "
            + "\(tally("admin config", costs.parsedConfigs))); from the parse cache: \(tally("scores", costs.decodedScores)), "
            + "\(tally("workflows", costs.decodedWorkflows)), \(tally("admin config", costs.decodedConfigs))"
        if let cache = parseCache {
            text += "; parse cache held \(cache.storedCount) entries" + (cache.ignored.map { " (file ignored: \($0))" } ?? "")
        }
        return text
    }
}
