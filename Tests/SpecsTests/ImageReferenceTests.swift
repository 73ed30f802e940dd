import Testing
@testable import Specs

/// `containers.*.image` against the distribution reference grammar ([registry[:port]/]path[:tag][@digest]):
/// the matcher alone, then through the Score validator with file:line:column.
@Suite struct ImageReferenceTests {
    static let hex64 = "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"

    @Test(arguments: [
        "nginx", "nginx:1.25", "ghcr.io/org/app@sha256:\(hex64)", "localhost:5000/a/b:tag",
        ".",  // Score's "the image is supplied by the deploying tooling"
        "library/nginx:latest", "docker.io/library/nginx:1.27-alpine", "registry.local:5000/batch:2024.10",
        "ghcr.io/org/app:1.2.3@sha256:\(hex64)", "a/b_c/d__e/f-g/h--i/j.k", "localhost/app", "localhost:5000",
        "Registry.Example.COM/app:v1", "[::1]:5000/app:tag", "[fe80::1]/app", "app:_private", "app:V1.0-RC_2",
        "app:" + String(repeating: "t", count: 128), "app@sha512:" + String(repeating: "ab", count: 64),
        "app@blake3:" + String(repeating: "0", count: 32), "app@multihash+base58:" + String(repeating: "F", count: 40),
        "0/1", "x",
    ])
    func validReferences(reference: String) {
        #expect(ImageReference.problem(reference) == nil, "\(ImageReference.problem(reference) ?? "")")
    }

    /// (reference, a fragment of the message naming the broken rule).
    static let invalid: [(String, String)] = [
        ("nginx\n:1", "character 6 is a line break"),
        ("nginx:1\n", "character 8 is a line break"),
        ("nginx 1.25", "character 6 is a space"),
        ("nginx:1; touch /tmp/x", "character 9 is a space"),
        ("nginx\u{1b}[31m", "character 6 is a control character"),
        ("nginx\u{00e9}", "non-ASCII character U+E9"),
        ("UPPER/app", "path component 'UPPER' has upper-case letters"),
        ("ghcr.io/Org/app", "path component 'Org' has upper-case letters"),
        ("Nginx", "path component 'Nginx' has upper-case letters"),
        ("app:", "the tag after ':' is empty"),
        (":tag", "the repository name before ':' or '@' is empty"),
        ("@sha256:\(hex64)", "the repository name before ':' or '@' is empty"),
        ("app@sha256:short", "a sha256 digest is 64 lower-case hex digits; this one has 5 characters, not all of them hex digits"),
        ("app@sha256:" + hex64.uppercased(), "a sha256 digest is 64 lower-case hex digits"),
        ("app@sha256:\(hex64)00", "this one has 66 characters"),
        ("app@md5:abc", "at least 32 hex digits"),
        ("app@\(hex64)", "must be ALGORITHM:HEX"),
        ("app@1sha:" + String(repeating: "0", count: 32), "algorithm that is not letters and digits"),
        ("app@sha256:\(hex64)@sha256:\(hex64)", "sha256 digest is 64"),
        ("app:-tag", "tag '-tag' must start with a letter, a digit or '_'"),
        ("app:t@g!", "digest 'g!' after '@' must be ALGORITHM:HEX"),
        ("app:ta+g", "tag 'ta+g' has '+'"),
        ("app:" + String(repeating: "t", count: 129), "the tag is 129 characters long; the most is 128"),
        ("app..x", "has the separator '..'"),
        ("app___x", "has the separator '___'"),
        ("app._x", "has the separator '._'"),
        ("-app", "must start and end with a lower-case letter or a digit"),
        ("app-", "must start and end with a lower-case letter or a digit"),
        ("org/app!", "path component 'app!' has '!'"),
        ("org//app", "an empty path component"),
        ("/app", "an empty path component"),
        ("org/app/", "an empty path component"),
        ("ghcr.io:/app", "registry 'ghcr.io:' has a port that is not a number"),
        ("ghcr.io:50x0/app", "has a port that is not a number"),
        ("-ghcr.io/app", "registry '-ghcr.io' is not a host name"),
        ("ghcr..io/app", "is not a host name"),
        ("[::1/app", "never closes it"),
        ("[zz]:5000/app", "IPv6 address that is not hex digits"),
        ("a/" + String(repeating: "b", count: 254), "the repository name is 256 characters long; the most is 255"),
        ("", "it is empty"),
        ("..", "must start and end with a lower-case letter or a digit"),
        ("${metadata.image}", "'$'"),
    ]

    @Test(arguments: invalid)
    func invalidReferencesNameTheBrokenRule(reference: String, rule: String) throws {
        let problem = try #require(ImageReference.problem(reference), "\(reference) was accepted")
        #expect(problem.contains(rule), "\(problem)")
        #expect(problem.contains("is not a valid image reference ([registry[:port]/]path[:tag][@digest])"))
        #expect(!problem.contains("\n"), "the message is one line: \(problem)")
    }

    @Test func aLongReferenceIsCutShortInTheMessage() throws {
        let problem = try #require(ImageReference.problem(String(repeating: "A", count: 1 << 20)))
        #expect(problem.count < 400)
        #expect(problem.contains("(1048576 bytes)"))
    }

    @Test func theValidatorReportsTheImageWithItsPosition() {
        let report = SpecTesting.validate(SpecTesting.score("""
            containers:
              web:
                image: "nginx\\n:1"
              worker:
                image: UPPER/app
              ok:
                image: ghcr.io/org/app@sha256:\(Self.hex64)
              built:
                image: .
            """), path: "apps/web-app/score.yaml")
        #expect(report.errors.count == 2, "\(report.summary)")
        let web = report.errors.first { $0.field == "containers.web.image" }
        #expect(web?.description.hasPrefix("apps/web-app/score.yaml:6:12: error: containers.web.image: \"nginx\\n:1\" is not a valid image reference") == true,
                "\(web?.description ?? report.summary)")
        #expect(web?.message.contains("character 6 is a line break") == true)
        let worker = report.errors.first { $0.field == "containers.worker.image" }
        #expect(worker?.line == 8 && worker?.column == 12, "\(report.summary)")
        #expect(worker?.message.contains("path component 'UPPER' has upper-case letters") == true)
    }
}
