import GitKit
import TestSupport
import Testing

@Suite("Refs: read, list, compare-and-swap")
struct ReferenceTests {
    @Test func compareAndSwapLosesARaceClearly() async throws {
        let fixture = try GitFixture()
        let a = try #require(ObjectID(hex: try fixture.commit(["a": "1"])))
        let b = try #require(ObjectID(hex: try fixture.commit(["a": "2"])))
        let c = try #require(ObjectID(hex: try fixture.commit(["a": "3"])))
        let repository = try Repository.open(at: fixture.work)
        let ref = "refs/innominatus/applied"
        #expect(try await repository.reference(ref) == nil)
        try await repository.updateReference(ref, to: a, expected: nil, message: "create")
        #expect(try fixture.git("rev-parse", ref) == a.hex)

        // "Create" when it already exists loses.
        let exists = await #expect(throws: GitError.self) {
            try await repository.updateReference(ref, to: b, expected: nil, message: "create again")
        }
        #expect(exists?.code == .refMoved)

        // Another writer (the git CLI) moves the ref between our read and our write: we lose.
        let seen = try #require(try await repository.reference(ref))
        try fixture.git("update-ref", ref, b.hex)
        let lost = await #expect(throws: GitError.self) {
            try await repository.updateReference(ref, to: c, expected: seen, message: "swap")
        }
        #expect(lost?.code == .refMoved)
        #expect(lost?.message.contains(b.hex) == true)
        #expect(try fixture.git("rev-parse", ref) == b.hex)

        // With the right expectation it moves.
        try await repository.updateReference(ref, to: c, expected: b, message: "swap")
        #expect(try fixture.git("rev-parse", ref) == c.hex)
        #expect(try await repository.references(matching: "refs/innominatus/*") == [ref: c])
        try await repository.deleteReference(ref)
        #expect(try await repository.reference(ref) == nil)
    }

    @Test func concurrentCompareAndSwapHasExactlyOneWinnerPerRound() async throws {
        let fixture = try GitFixture()
        let base = try #require(ObjectID(hex: try fixture.commit(["a": "0"])))
        var candidates: [ObjectID] = []
        for index in 1...4 { candidates.append(try #require(ObjectID(hex: try fixture.commit(["a": "\(index)"])))) }
        let ref = "refs/innominatus/lease"
        let setup = try Repository.open(at: fixture.work)
        try await setup.updateReference(ref, to: base, expected: nil, message: "base")
        let work = fixture.work
        let wins = await withTaskGroup(of: Bool.self) { group in
            for candidate in candidates {
                group.addTask {
                    // Separate handles, as separate processes would have.
                    guard let repository = try? Repository.open(at: work) else { return false }
                    return (try? await repository.updateReference(ref, to: candidate, expected: base, message: "race")) != nil
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
    }

    @Test func concurrentCreateHasExactlyOneWinner() async throws {
        let fixture = try GitFixture()
        var candidates: [ObjectID] = []
        for index in 1...4 { candidates.append(try #require(ObjectID(hex: try fixture.commit(["a": "\(index)"])))) }
        let work = fixture.work
        for round in 0..<10 {
            let ref = "refs/innominatus/created-\(round)"
            let winners = await withTaskGroup(of: ObjectID?.self) { group in
                for candidate in candidates {
                    group.addTask {
                        guard let repository = try? Repository.open(at: work) else { return nil }
                        return (try? await repository.updateReference(ref, to: candidate, expected: nil, message: "create")) != nil
                            ? candidate : nil
                    }
                }
                return await group.compactMap { $0 }.reduce(into: [ObjectID]()) { $0.append($1) }
            }
            #expect(winners.count == 1, "round \(round)")
            #expect(try fixture.git("rev-parse", ref) == winners.first?.hex)
        }
    }
}
