import Foundation
import TestSupport
import Testing

/// Debian's headless Chromium (`apt-get install chromium`, in the README's test command and `.ci/run`),
/// driving the status pages as a person's browser would: the DOM after the page's scripts ran, a
/// screenshot, and a page left open whose reloads are watched through the DevTools HTTP endpoint.
struct Browser {
    static let path = "/usr/bin/chromium"

    /// Its own profile folder, so runs share no cookies or cache.
    let profile: String

    init(in folder: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.path),
                     "Chromium is missing: apt-get install -y chromium (the README's test command installs it)")
        profile = folder + "/chromium-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
    }

    private var flags: [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", "--user-data-dir=\(profile)"]
    }

    /// The DOM of `url` once it loaded and its scripts ran, serialized.
    func dom(_ url: String) throws -> String {
        try Shell.run([Self.path] + flags + ["--dump-dom", url])
    }

    /// A PNG of `url` at 1280×900.
    func screenshot(_ url: String, to file: String) throws -> Data {
        try Shell.run([Self.path] + flags + ["--hide-scrollbars", "--window-size=1280,900", "--screenshot=\(file)", url])
        return try Data(contentsOf: URL(fileURLWithPath: file))
    }

    /// `url` kept open with the DevTools HTTP endpoint on `port` (`/json/list` names each page's title).
    func open(_ url: String, debuggingPort port: Int, log: String) throws -> Shell.Background {
        try Shell.start([Self.path] + flags + ["--remote-debugging-address=127.0.0.1", "--remote-debugging-port=\(port)", url],
                        log: log)
    }

    /// The titles of the pages an open browser shows (`GET /json/list` of the DevTools endpoint, over a
    /// plain connection).
    static func titles(debuggingPort port: Int) -> [String] {
        guard let connection = RawConnection(port: port) else { return [] }
        connection.send("GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        let answer = connection.read(for: .seconds(10)).text
        guard let start = answer.range(of: "\r\n\r\n"),
              let targets = try? JSONSerialization.jsonObject(with: Data(answer[start.upperBound...].utf8)) as? [[String: Any]]
        else { return [] }
        return targets.filter { $0["type"] as? String == "page" }.compactMap { $0["title"] as? String }
    }

    /// Width and height from a PNG's header, nil when `data` is not a PNG.
    static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] else { return nil }
        func word(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (word(16), word(20))
    }
}

/// Elements of a serialized DOM, found by an attribute: enough for assertions on pages whose markup the
/// tests know, with no HTML parser.
struct DOM {
    let text: String

    /// The opening tags carrying `attribute="value"` (attributes as Chromium serializes them).
    func tags(with attribute: String, _ value: String) -> [String] {
        let needle = "\(attribute)=\"\(value)\""
        return text.components(separatedBy: "<").dropFirst().compactMap { part in
            guard let end = part.firstIndex(of: ">") else { return nil }
            let tag = String(part[..<end])
            return tag.contains(needle) ? tag : nil
        }
    }

    /// The value of `attribute` in an opening tag.
    static func attribute(_ name: String, of tag: String) -> String? {
        guard let range = tag.range(of: " \(name)=\"") else { return nil }
        let rest = tag[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// The `data-state` of the grid cell of `app` in `tier`.
    func state(of app: String, tier: String) -> String? {
        guard let start = text.range(of: "data-app=\"\(app)\"") else { return nil }
        let row = text[start.upperBound...]
        guard let rowEnd = row.range(of: "</tr>") else { return nil }
        let cells = DOM(text: String(row[..<rowEnd.lowerBound]))
        return cells.tags(with: "data-tier", tier).first.flatMap { Self.attribute("data-state", of: $0) }
    }

    /// The `data-app` of every grid row, in order.
    var apps: [String] {
        tags(withAttribute: "data-app").compactMap { Self.attribute("data-app", of: $0) }
    }

    func tags(withAttribute name: String) -> [String] {
        text.components(separatedBy: "<").dropFirst().compactMap { part in
            guard let end = part.firstIndex(of: ">") else { return nil }
            let tag = String(part[..<end])
            return tag.contains(" \(name)=\"") ? tag : nil
        }
    }

    func contains(_ fragment: String) -> Bool { text.contains(fragment) }
}
