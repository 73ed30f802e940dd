import Foundation
import GitKit

extension PlanningPass {
    /// What a preview plans instead of the branch head: a branch of the remote, any other ref fetched
    /// explicitly (`refs/pull/7/head`, `refs/merge-requests/7/head`), or a commit id the fetched refs hold.
    public struct Target: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable {
            case branch(String)
            case ref(String)
            case commit(String)
        }

        public var kind: Kind

        /// The remote has no such branch or ref, or the fetched refs hold no such commit.
        public struct NotFound: Error, Sendable, CustomStringConvertible {
            public var description: String
        }

        /// Reads `--ref`: 7 to 64 hex digits are a commit id; `refs/heads/X` and a name without `refs/` are
        /// branch X; anything else under `refs/` is fetched as it is named.
        public init(_ text: String) throws(PlanningPass.Failure) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { throw Failure(description: "--ref is empty; name a branch, a ref or a commit id") }
            if let problem = Self.problem(in: trimmed) { throw Failure(description: "--ref '\(trimmed)': \(problem)") }
            if (7...64).contains(trimmed.count), trimmed.allSatisfy({ $0.isHexDigit }) {
                kind = .commit(trimmed.lowercased())
            } else if trimmed.hasPrefix("refs/heads/") {
                kind = .branch(String(trimmed.dropFirst("refs/heads/".count)))
            } else if trimmed.hasPrefix("refs/") {
                kind = .ref(trimmed)
            } else {
                kind = .branch(trimmed)
            }
        }

        public var description: String {
            switch kind {
            case .branch(let name): name
            case .ref(let ref): ref
            case .commit(let id): id
            }
        }

        /// Where a ref that is not a branch lands in the cache: beside the branches, never over them.
        static let cachePrefix = "refs/innominatus/preview/"

        var refspecs: [String] {
            guard case .ref(let ref) = kind else { return [] }  // branches come with every fetch
            return ["+\(ref):\(Self.cachePrefix)\(ref.dropFirst("refs/".count))"]
        }

        func resolve(in repository: Repository, remote: Remote) async throws -> ObjectID {
            switch kind {
            case .branch(let name):
                do { return try await repository.resolveRemoteBranch(name) } catch {
                    throw NotFound(description: "the remote \(RemoteURL.redacted(remote.url)) has no branch '\(name)' (\(error.message))")
                }
            case .ref(let ref):
                do { return try await repository.resolveCommit(Self.cachePrefix + ref.dropFirst("refs/".count)) } catch {
                    throw NotFound(description: "the remote \(RemoteURL.redacted(remote.url)) has no ref \(ref) (\(error.message))")
                }
            case .commit(let id):
                do { return try await repository.resolveCommit(id) } catch {
                    throw NotFound(description: "no commit \(id) in the fetched branches and refs of \(RemoteURL.redacted(remote.url)) "
                        + "(\(error.message)); fetch it with --ref naming the ref that holds it (refs/pull/N/head)")
                }
            }
        }

        /// What git's check-ref-format refuses, and what could reach outside the cache's own refs.
        static func problem(in ref: String) -> String? {
            if ref.hasPrefix("-") { return "a ref cannot start with '-'" }
            if ref.contains("..") || ref.contains("@{") || ref.contains("//") || ref.hasSuffix("/") || ref.hasSuffix(".lock") {
                return "not a valid ref name (git check-ref-format)"
            }
            if ref.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || " ~^:?*[\\".unicodeScalars.contains($0) }) {
                return "not a valid ref name: it holds a space, a control character or one of ~^:?*[\\"
            }
            return nil
        }
    }
}
