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
}
