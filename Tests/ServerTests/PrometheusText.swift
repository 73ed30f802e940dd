import Foundation

/// A strict reader of the Prometheus text exposition format (0.0.4): `# HELP`/`# TYPE` lines, and samples
/// `name{label="value",...} number`. Throws on any line that is neither.
enum PrometheusText {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// Sample (name with labels, as written) → value.
    static func parse(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        let name = #"[a-zA-Z_:][a-zA-Z0-9_:]*"#
        let labels = #"(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})?"#
        let sample = try Regex("^(\(name)\(labels)) ([-+]?[0-9.eE+-]+|NaN|[+-]Inf)$")
        let type = try Regex("^# TYPE \(name) (counter|gauge|histogram|summary|untyped)$")
        let help = try Regex("^# HELP \(name) .*$")
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") {
                guard line.wholeMatch(of: type) != nil || line.wholeMatch(of: help) != nil else {
                    throw Malformed(description: "bad comment line: \(line)")
                }
                continue
            }
            guard let match = line.wholeMatch(of: sample), let key = match.output[1].substring,
                  let value = line.split(separator: " ").last.flatMap({ Double($0) }) else {
                throw Malformed(description: "bad sample line: \(line)")
            }
            samples[String(key)] = value
        }
        return samples
    }
}
