import Foundation
import Planner
import Reconciler
import Specs
import Testing

/// The note's `verification` section (docs/ARCHITECTURE.md §7): written by `StatusNote.render`, read back
/// by the note reader field for field, and the same in the API's JSON.
@Suite("Status notes: verification")
struct VerificationNoteTests {
    static func status(_ verification: Verification) -> ReconcileStatus {
        var status = ReconcileStatus(commit: "0123456789abcdef0123456789abcdef01234567", previousCommit: "89abcdef0123456789abcdef0123456789abcdef",
                                     result: .failed, startedAt: "2026-12-04T12:00:00Z", finishedAt: "2026-12-04T12:00:01Z",
                                     unchanged: 0, apps: [:], error: "refused")
        status.verification = VerificationStatus(verification)
        return status
    }

    static let refused = Verification(
        mode: .strict, commits: 2, signers: ["ecommerce-team", "platform-team"],
        seal: Verification.Seal(commit: "aaaabbbbccccddddeeeeffff0000111122223333", reason: "reviewed: the hotfix"),
        refusal: Verification.Refusal(commit: "0123456789abcdef0123456789abcdef01234567", path: "policies/admin-config.yaml",
                                      rule: "rules[0] (policies/**, workflows/platform/**: platform-team)", signer: "ecommerce-team",
                                      reason: "commit 0123456789ab changes policies/admin-config.yaml, which rules[0] lets only platform-team sign; it is signed by ecommerce-team"),
        trust: "00ff00ff00ff00ff")

    @Test(arguments: [refused, Verification(mode: .head, commits: 1, signers: ["platform-team"], trust: "1234abcd1234abcd"),
                      Verification(mode: .strict, commits: 0, signers: [])])
    func theSectionReadsBackAsWritten(verification: Verification) throws {
        let status = Self.status(verification)
        let key = StateKey(secret: "innominatus-test-state-key-0123456789abcdef")
        let text = try StatusNote.render(status, key: key)
        #expect(text.contains("\nverification:\n  mode: \(verification.mode.rawValue)\n"), "\(text)")
        let read = try #require(StatusNote.lastStatus(in: text, key: key))
        #expect(read == status)
        #expect(read.verification?.verification == verification)
    }

    @Test func aPassingHeadRecordsModeCommitsAndSigners() throws {
        let text = try StatusNote.render(Self.status(Verification(mode: .head, commits: 1, signers: ["platform-team"])))
        #expect(text.contains("verification:\n  mode: head\n  result: verified\n  commits: 1\n  signers:\n  - platform-team\n"), "\(text)")
        #expect(!text.contains("  path:"))
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(Self.status(Self.refused))) as? [String: Any]
        let section = try #require(json?["verification"] as? [String: Any])
        #expect(section["result"] as? String == "refused" && section["path"] as? String == "policies/admin-config.yaml")
        #expect(section["signer"] as? String == "ecommerce-team" && (section["seal"] as? [String: Any])?["reason"] as? String == "reviewed: the hotfix")
    }

    @Test func statusTextSaysWhatTheTrustStageFound() {
        let refused = StatusRendering.text(Self.status(Self.refused))
        #expect(refused.contains("trust: refused (strict): commit 0123456789ab, path policies/admin-config.yaml, "
                                 + "rules[0] (policies/**, workflows/platform/**: platform-team), signer found: ecommerce-team"), "\(refused)")
        let verified = StatusRendering.text(Self.status(Verification(mode: .head, commits: 1, signers: ["platform-team"])))
        #expect(verified.contains("trust: verified (head): 1 commit, signed by platform-team"), "\(verified)")
    }
}
