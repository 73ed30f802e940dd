/// A wall-clock instant handed to the planner by its caller, so that planning never reads a clock and
/// the same inputs always give the same plan (backoff is decided against this value only).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public func adding(milliseconds: Int) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + Int64(milliseconds))
    }

    /// Milliseconds since the epoch: compact, and exact for the state blob.
    public var description: String { String(millisecondsSinceEpoch) }
}
