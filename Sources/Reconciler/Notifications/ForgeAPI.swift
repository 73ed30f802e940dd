import Foundation
import Specs

/// One HTTP request, as the forge and sink clients build it (pure, so each forge's routes and bodies are
/// testable without a network). The token is in `headers` only; it is never logged (`Notifier`).
struct OutgoingRequest: Sendable, Hashable {
    var method: String
    var url: String
    var headers: [(String, String)]
    var body: [UInt8]

    static func == (lhs: OutgoingRequest, rhs: OutgoingRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map { "\($0.0): \($0.1)" } == rhs.headers.map { "\($0.0): \($0.1)" }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(url)
        hasher.combine(body)
    }
}

/// GitHub's, Gitea's and GitLab's REST routes for commit statuses and PR/MR comments
/// (docs/ARCHITECTURE.md §9, notifications). GitHub and Gitea share their shapes; GitLab names its
/// states and routes its own way and takes the token as `PRIVATE-TOKEN`.
struct ForgeAPI: Sendable {
    var forge: NotificationConfig.Forge
    var token: String

    /// The hidden line that marks the one comment a preview keeps editing.
    static let commentMarker = "<!-- innominatus-preview -->"

    private var headers: [(String, String)] {
        var headers = [("Content-Type", "application/json"), ("User-Agent", "innominatus")]
        switch forge.kind {
        case .github:
            headers += [("Accept", "application/vnd.github+json"), ("Authorization", "Bearer \(token)")]
        case .gitea:
            headers += [("Accept", "application/json"), ("Authorization", "Bearer \(token)")]
        case .gitlab:
            headers += [("Accept", "application/json"), ("PRIVATE-TOKEN", token)]
        }
        return headers
    }

    /// `owner/name` as a path, or GitLab's project id (a path is URL-encoded, `acme%2Fplatform`).
    private var base: String {
        switch forge.kind {
        case .github, .gitea: return forge.apiURL + "/repos/" + forge.repository
        case .gitlab: return forge.apiURL + "/projects/" + Self.encoded(forge.repository)
        }
    }

    func status(_ status: CommitStatus) -> OutgoingRequest {
        var body: [String: String] = ["description": status.description]
        switch forge.kind {
        case .github, .gitea:
            body["state"] = status.state.rawValue
            body["context"] = status.context
            if let link = status.targetURL { body["target_url"] = link }
            return request("POST", base + "/statuses/" + status.sha, body)
        case .gitlab:
            // GitLab's states: pending, running, success, failed, canceled (no "error").
            body["state"] = switch status.state {
            case .pending: "running"
            case .success: "success"
            case .failure, .error: "failed"
            }
            body["name"] = status.context
            if let link = status.targetURL { body["target_url"] = link }
            return request("POST", base + "/statuses/" + status.sha, body)
        }
    }

    /// One page of the comments of PR/MR `number` (100 a page).
    func listComments(_ number: Int, page: Int) -> OutgoingRequest {
        switch forge.kind {
        case .github, .gitea:
            let size = forge.kind == .github ? "per_page" : "limit"
            return OutgoingRequest(method: "GET", url: base + "/issues/\(number)/comments?\(size)=100&page=\(page)",
                                   headers: headers, body: [])
        case .gitlab:
            return OutgoingRequest(method: "GET", url: base + "/merge_requests/\(number)/notes?per_page=100&page=\(page)",
                                   headers: headers, body: [])
        }
    }

    func createComment(_ number: Int, body: String) -> OutgoingRequest {
        switch forge.kind {
        case .github, .gitea: request("POST", base + "/issues/\(number)/comments", ["body": body])
        case .gitlab: request("POST", base + "/merge_requests/\(number)/notes", ["body": body])
        }
    }

    func updateComment(_ number: Int, id: Int, body: String) -> OutgoingRequest {
        switch forge.kind {
        case .github, .gitea: request("PATCH", base + "/issues/comments/\(id)", ["body": body])
        case .gitlab: request("PUT", base + "/merge_requests/\(number)/notes/\(id)", ["body": body])
        }
    }

    /// The id of the comment holding the marker in one page of comments (the forges answer a JSON list
    /// of objects with `id` and `body`), and whether the page was full (there may be more).
    static func markedComment(in page: [UInt8]) -> (id: Int?, full: Bool) {
        guard let list = try? JSONSerialization.jsonObject(with: Data(page)) as? [[String: Any]] else { return (nil, false) }
        let found = list.first { ($0["body"] as? String)?.contains(commentMarker) == true }
        return ((found?["id"] as? NSNumber)?.intValue, list.count >= 100)
    }

    private func request(_ method: String, _ url: String, _ body: [String: String]) -> OutgoingRequest {
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return OutgoingRequest(method: method, url: url, headers: headers, body: Array(data))
    }

    static func encoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
