extension Duration {
    /// Whole milliseconds, rounded down: what deadlines and `durationMs` are counted in.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
