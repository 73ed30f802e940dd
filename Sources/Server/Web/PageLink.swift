/// Links of the pages: paths the server owns, with every part taken from input percent-encoded, so a
/// name can neither leave the path nor start a scheme (`javascript:`).
enum PageLink {
    /// `/apps/NAME`.
    static func app(_ name: String) -> String { "/apps/" + segment(name) }

    /// `path?key=value&…`, leaving out empty values.
    static func path(_ path: String, _ query: [(String, String?)]) -> String {
        let parts = query.compactMap { key, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return segment(key) + "=" + segment(value)
        }
        return parts.isEmpty ? path : path + "?" + parts.joined(separator: "&")
    }

    /// Every byte but the unreserved ones (RFC 3986: letters, digits, `-._~`) percent-encoded.
    static func segment(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                output += "%"
                output.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                output.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xf)]))
            }
        }
        return output
    }
}
