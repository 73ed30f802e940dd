import Planner
import Reconciler
import Specs
import Testing

@Suite("Applied state format")
struct AppliedStateCodecTests {
    static func sample() -> AppliedState {
        let shared = ["workflows/platform/scan.yaml": "p1", "scripts/odd\tname%.sh": "s1", "step-type:security": "./x\u{1f}y"]
        var state = AppliedState(commit: "abc")
        for app in ["a", "b", "c d"] {
            let fingerprint = Fingerprint(shared: shared, scorePath: "apps/\(app)/score.yaml", scoreID: "id-\(app)")
            state.pairs[PairKey(app: app, tier: .platform)] = PairRecord(
                fingerprint: fingerprint, result: .succeeded, lastAttempt: Timestamp(millisecondsSinceEpoch: 42),
                attemptedDigest: fingerprint.digest)
            state.apps[app] = AppliedApp(scoreID: "id-\(app)", product: app == "a" ? "shop" : nil, suspended: app == "b",
                                         resources: app == "a" ? [ResourceRef(name: "db", type: "postgres"),
                                                                  ResourceRef(name: "odd\tone", type: "s3", class: "large", id: "shared-1")]
                                             : app == "b" ? [] : nil)
        }
        state.pairs[PairKey(app: "a", tier: .product)] = PairRecord(
            fingerprint: nil, result: .failed, attempts: 3, dirty: true, lastAttempt: nil, attemptedDigest: "ff")
        return state
    }

    @Test func roundTripsEveryField() throws {
        let state = Self.sample()
        let bytes = AppliedStateCodec.encode(state)
        #expect(try AppliedStateCodec.decode(bytes) == state)
        // Shared components are stored once, not once per pair.
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("set\t") }.count == 1)
    }

    @Test func unknownLinesAreIgnoredAndGarbageIsRefused() throws {
        var bytes = AppliedStateCodec.encode(Self.sample())
        bytes += Array("future\tfield\n".utf8)
        #expect(try AppliedStateCodec.decode(bytes) == Self.sample())
        #expect(throws: AppliedStateCodec.FormatError.self) { try AppliedStateCodec.decode(Array("nonsense\n".utf8)) }
        #expect(throws: AppliedStateCodec.FormatError.self) {
            try AppliedStateCodec.decode(Array((AppliedStateCodec.header + "\npair\tx\tplatform\tsucceeded\t0\t0\t-\t-\tdd\t7\tp\ti\n").utf8))
        }
    }

    /// An incremental plan decodes the lines of a few apps, found by byte search: what they decode to is
    /// the full state cut to those apps, whatever their names hold (a prefix of another name, a tab, a space).
    @Test func anExcerptDecodesToThoseAppsAlone() throws {
        var state = Self.sample()
        let other = Fingerprint(shared: ["workflows/products/shop/x.yaml": "q"], scorePath: "apps/ab/score.yaml", scoreID: "id-ab")
        state.pairs[PairKey(app: "ab", tier: .product)] = PairRecord(fingerprint: other, result: .succeeded, attemptedDigest: other.digest)
        state.apps["ab"] = AppliedApp(scoreID: "id-ab", product: "shop", suspended: false, resources: [])
        state.settled = true
        let bytes = AppliedStateCodec.encode(state)
        for apps in [["a"], ["ab"], ["c d"], ["a", "c d"], ["missing"], []] as [[String]] {
            let only = Set(apps)
            let excerpt = try #require(bytes.withUnsafeBytes { AppliedStateCodec.excerpt(of: $0, apps: only) })
            var expected = state
            expected.pairs = state.pairs.filter { only.contains($0.key.app) }
            expected.apps = state.apps.filter { only.contains($0.key) }
            #expect(try AppliedStateCodec.decode(excerpt) == expected, "\(apps)")
        }
        #expect(Array("garbage\n".utf8).withUnsafeBytes { AppliedStateCodec.excerpt(of: $0, apps: ["a"]) } == nil)
    }
    /// A platform workflow's change reads every app's platform pair and nothing else: what those lines decode
    /// to is the full state without app lines and other tiers. A platform line that says `=` for its Score
    /// (the encoder never writes one) is refused, not read as another app's Score.
    @Test func thePlatformPairsDecodeAlone() throws {
        var state = Self.sample()
        let product = Fingerprint(shared: ["workflows/products/shop/x.yaml": "q"], scorePath: "apps/a/score.yaml", scoreID: "id-a")
        state.pairs[PairKey(app: "a", tier: .application)] = PairRecord(fingerprint: product, result: .succeeded, attemptedDigest: product.digest)
        state.settled = true
        let bytes = AppliedStateCodec.encode(state)
        var expected = state
        expected.apps = [:]
        expected.pairs = state.pairs.filter { $0.key.tier == .platform }
        let platform = try bytes.withUnsafeBytes { try AppliedStateCodec.platformPairs(of: $0) }
        #expect(platform.state == expected)
        #expect(platform.apps == ["a", "b", "c d"])
        let text = String(decoding: bytes, as: UTF8.self)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("pair\tb\tplatform\t") })
        var fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        fields[10] = "="
        fields[11] = "="
        let damaged = Array(text.replacing(line, with: fields.joined(separator: "\t")).utf8)
        #expect(throws: AppliedStateCodec.FormatError.self) { try damaged.withUnsafeBytes { try AppliedStateCodec.platformPairs(of: $0) } }
    }

    /// The plan memo's copy of the state is searched by bisection when its lines are in the encoder's order
    /// (checked once, `isOrderedForSearch`): for any apps, that finds exactly the lines the scan finds.
    @Test func aBinarySearchFindsWhatTheScanFinds() throws {
        var state = AppliedState(commit: "c0ffee")
        let names = (0..<300).map { "app-" + String(repeating: "0", count: 3 - String($0).count) + String($0) } + ["a", "ab", "a b", "a\tb", "z%", "zz"]
        for (index, name) in names.enumerated() {
            state.apps[name] = AppliedApp(scoreID: "id-\(index)", product: index % 3 == 0 ? "shop" : nil, suspended: false, resources: [])
            for tier in Tier.allCases where index % 4 != 1 || tier != .product {
                let fingerprint = Fingerprint(shared: ["workflows/platform/w\(index % 7).yaml": "b\(index % 7)"],
                                              scorePath: "apps/\(name)/score.yaml", scoreID: "id-\(index)")
                state.pairs[PairKey(app: name, tier: tier)] = PairRecord(fingerprint: fingerprint, result: .succeeded,
                                                                         attemptedDigest: fingerprint.digest)
            }
        }
        let bytes = AppliedStateCodec.encode(state)
        let ordered = bytes.withUnsafeBytes(AppliedStateCodec.isOrderedForSearch)
        #expect(ordered)
        let queries: [[String]] = [["app-000"], ["app-299"], ["app-150", "a"], ["ab"], ["a b", "a\tb"], ["z%", "zz"], ["missing"],
                                   ["app-1500"], [], names]
        for apps in queries {
            let scanned = bytes.withUnsafeBytes { AppliedStateCodec.excerpt(of: $0, apps: Set(apps)) }
            let searched = bytes.withUnsafeBytes { AppliedStateCodec.excerpt(of: $0, apps: Set(apps), ordered: true) }
            let same = scanned != nil && searched == scanned
            #expect(same, "\(apps)")
            var expected = state
            expected.pairs = state.pairs.filter { apps.contains($0.key.app) }
            expected.apps = state.apps.filter { apps.contains($0.key) }
            #expect(try AppliedStateCodec.decode(try #require(searched)) == expected, "\(apps)")
        }
        // Two app lines swapped: not in order, so the copy is scanned.
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let first = try #require(lines.firstIndex { $0.hasPrefix("app\t") })
        lines.swapAt(first, first + 1)
        let swapped = Array(lines.joined(separator: "\n").utf8)
        let swappedOrdered = swapped.withUnsafeBytes(AppliedStateCodec.isOrderedForSearch)
        #expect(!swappedOrdered)
        let garbageOrdered = Array("garbage\n".utf8).withUnsafeBytes(AppliedStateCodec.isOrderedForSearch)
        #expect(!garbageOrdered)
    }
}
