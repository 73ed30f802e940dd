import Planner
import Specs
import Testing

/// `AppliedState.merging`: our state rebuilt on a state another writer pushed since our base
/// (docs/ARCHITECTURE.md §4, the applied state's publish).
@Suite("Applied state: rebuilt on another writer's state")
struct AppliedStateMergingTests {
    static let cart = PairKey(app: "cart", tier: .application)
    static let search = PairKey(app: "search", tier: .platform)

    static func record(_ result: PairResult, at millis: Int64) -> PairRecord {
        PairRecord(fingerprint: nil, result: result, attempts: result == .failed ? 1 : 0, dirty: result != .succeeded,
                   lastAttempt: Timestamp(millisecondsSinceEpoch: millis))
    }

    static let base = AppliedState(commit: "c1", pairs: [cart: record(.succeeded, at: 1), search: record(.succeeded, at: 1)],
                                   apps: ["cart": AppliedApp(scoreID: "cart", product: nil, suspended: false)], settled: true)

    @Test func eachSideKeepsWhatOnlyItChanged() throws {
        var ours = Self.base
        ours.commit = "c2"
        ours.pairs[Self.cart] = Self.record(.succeeded, at: 2)
        ours.apps["cart"]?.suspended = true
        var theirs = Self.base
        theirs.pairs[Self.search] = Self.record(.failed, at: 3)
        theirs.apps["search"] = AppliedApp(scoreID: "search", product: nil, suspended: false)
        let merged = try #require(AppliedState.merging(ours, base: Self.base, theirs: theirs))
        #expect(merged.commit == "c2" && merged.settled)
        #expect(merged.pairs[Self.cart] == Self.record(.succeeded, at: 2))
        #expect(merged.pairs[Self.search] == Self.record(.failed, at: 3))
        #expect(merged.apps["cart"]?.suspended == true && merged.apps["search"] != nil)
    }

    @Test func aPairOneSideRemovedStaysRemoved() throws {
        var ours = Self.base
        ours.pairs[Self.search] = nil
        var theirs = Self.base
        theirs.pairs[Self.cart] = Self.record(.failed, at: 3)
        let merged = try #require(AppliedState.merging(ours, base: Self.base, theirs: theirs))
        #expect(merged.pairs.keys.sorted() == [Self.cart])
        #expect(merged.pairs[Self.cart]?.result == .failed)
    }

    @Test func theSameChangeOnBothSidesIsNoConflict() {
        var ours = Self.base
        ours.commit = "c2"
        ours.pairs[Self.cart] = Self.record(.succeeded, at: 2)
        #expect(AppliedState.merging(ours, base: Self.base, theirs: ours) == ours)
    }

    /// (`settled` is a Bool: two sides that both changed it changed it the same way.)
    @Test(arguments: ["commit", "pair", "app"])
    func bothChangingTheSameFieldDifferentlyIsRefused(field: String) {
        var ours = Self.base, theirs = Self.base
        switch field {
        case "commit": ours.commit = "c2"; theirs.commit = "c3"
        case "pair": ours.pairs[Self.cart] = Self.record(.succeeded, at: 2); theirs.pairs[Self.cart] = Self.record(.failed, at: 3)
        default: ours.apps["cart"]?.suspended = true; theirs.apps["cart"] = nil
        }
        #expect(AppliedState.merging(ours, base: Self.base, theirs: theirs) == nil)
    }
}
