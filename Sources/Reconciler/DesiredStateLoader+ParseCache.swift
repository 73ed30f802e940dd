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
        func milliseconds(_ duration: Duration?) -> String {
            let (seconds, attoseconds) = (duration ?? .zero).components
            return String(format: "%.2f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
        }
        var text = "parsed \(parsedBlobs) blobs (scores \(costs.parsedScores) in \(milliseconds(costs.parsing["score"])), "
            + "workflows \(costs.parsedWorkflows) in \(milliseconds(costs.parsing["workflow"])), "
            + "admin config \(costs.parsedConfigs) in \(milliseconds(costs.parsing["config"])))"
        text += "; from the parse cache: scores \(costs.decodedScores) in \(milliseconds(costs.decoding["score"])), "
            + "workflows \(costs.decodedWorkflows) in \(milliseconds(costs.decoding["workflow"])), "
            + "admin config \(costs.decodedConfigs) in \(milliseconds(costs.decoding["config"]))"
        if let cache = parseCache {
            text += "; parse cache held \(cache.storedCount) entries" + (cache.ignored.map { " (file ignored: \($0))" } ?? "")
        }
        return text
    }
}
