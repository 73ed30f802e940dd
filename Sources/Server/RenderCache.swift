/// The last answer rendered for each route, reused while the reads it was made from are the same ones:
/// under load, the many requests that shared one coalesced read (see `PlatformView`) also share one
/// rendering of it instead of each encoding the same JSON again.
actor RenderCache {
    private var last: [String: (key: String, bytes: [UInt8])] = [:]

    /// The bytes for `route` made from the reads `key` names: rendered now, unless they already were.
    func bytes(route: String, key: String, render: @Sendable () throws -> [UInt8]) throws -> [UInt8] {
        if let hit = last[route], hit.key == key { return hit.bytes }
        let bytes = try render()
        if last.count >= 1_000 { last.removeAll() }  // one entry per app at most; a bound all the same
        last[route] = (key, bytes)
        return bytes
    }
}

/// The last value made from a read (by the read's number, `PlatformView.Read.number`): the requests that
/// share one coalesced read also share what is made from it.
actor LastValue<Value: Sendable> {
    private var last: (key: Int, value: Value)?

    func value(key: Int, make: @Sendable () -> Value) -> Value {
        if let last, last.key == key { return last.value }
        let value = make()
        last = (key, value)
        return value
    }
}
