extension AppliedState {
    /// Our next state `ours`, computed from `base`, rebuilt on `theirs`: what another writer stored after
    /// `base` (docs/ARCHITECTURE.md §4, the applied state's retry). Field by field — the pass's commit and
    /// settled flag, each pair's record, each app's facts — a side that left a field as in `base` takes the
    /// other side's value. Nil when both sides changed the same field differently: then neither may win
    /// (two passes recorded different outcomes) and the writer must fetch and plan again.
    public static func merging(_ ours: AppliedState, base: AppliedState, theirs: AppliedState) -> AppliedState? {
        // `[value]` is the merged value (which may itself be nil: a pair one side removed); nil is a conflict.
        func pick<Value: Equatable>(_ ours: Value, _ base: Value, _ theirs: Value) -> [Value]? {
            if ours == theirs || theirs == base { return [ours] }
            if ours == base { return [theirs] }
            return nil
        }
        func pickAll<Key: Hashable, Value: Equatable>(_ ours: [Key: Value], _ base: [Key: Value], _ theirs: [Key: Value]) -> [Key: Value]? {
            var merged: [Key: Value] = [:]
            for key in Set(ours.keys).union(base.keys).union(theirs.keys) {
                guard let value = pick(ours[key], base[key], theirs[key]) else { return nil }
                merged[key] = value[0]
            }
            return merged
        }
        guard let commit = pick(ours.commit, base.commit, theirs.commit),
              let settled = pick(ours.settled, base.settled, theirs.settled),
              let pairs = pickAll(ours.pairs, base.pairs, theirs.pairs),
              let apps = pickAll(ours.apps, base.apps, theirs.apps)
        else { return nil }
        return AppliedState(commit: commit[0], pairs: pairs, apps: apps, settled: settled[0])
    }
}
