/// Byte-level helpers for fixtures that must not go through `String` (hostile files hold invalid UTF-8).
public enum Bytes {
    /// `bytes` with every occurrence of `needle` replaced, scanning left to right.
    public static func replacing(_ needle: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard !needle.isEmpty else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == needle[0], index + needle.count <= bytes.count, Array(bytes[index..<index + needle.count]) == needle {
                result += replacement
                index += needle.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}
