extension Duration {
    /// Whole milliseconds, rounded down: what deadlines and `durationMs` are counted in.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension Duration {
    /// How every message says a duration: "30s", "1.5s", "500ms".
    public var brief: String {
        let ms = wholeMilliseconds
        if ms < 1000 { return "\(ms)ms" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(Double(ms) / 1000)s"
    }
}
