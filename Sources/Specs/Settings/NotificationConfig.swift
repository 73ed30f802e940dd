/// `--notifications FILE`: where a reconciler tells people what a pass or a preview found
/// (docs/ARCHITECTURE.md §9). The file lives with the reconciler, never in the platform repository: an
/// edit of the repository must not redirect tokens. Secrets are named by environment variable, never
/// written in the file (a sink's URL may be either: a Slack webhook URL is a secret).
public struct NotificationConfig: Sendable, Hashable {
    public var forge: Forge?
    public var sinks: [Sink]
    /// The same event for the same (app, tier, workflow, digest) is not sent again to a sink within this.
    public var dedupe: SpecDuration

    public init(forge: Forge? = nil, sinks: [Sink] = [], dedupe: SpecDuration = SpecDuration(milliseconds: 300_000)) {
        self.forge = forge
        self.sinks = sinks
        self.dedupe = dedupe
    }

    /// The forge hosting the platform repository: commit statuses and the preview's PR comment.
    public struct Forge: Sendable, Hashable {
        public enum Kind: String, Sendable, CaseIterable {
            case github, gitea, gitlab
        }

        public var kind: Kind
        /// `https://api.github.com`, `https://HOST/api/v1` (Gitea), `https://HOST/api/v4` (GitLab); no trailing `/`.
        public var apiURL: String
        /// `owner/name` (GitHub, Gitea); the project's id or its path (GitLab).
        public var repository: String
        /// The environment variable holding the token.
        public var tokenEnv: String

        public init(kind: Kind, apiURL: String, repository: String, tokenEnv: String) {
            self.kind = kind
            self.apiURL = apiURL
            self.repository = repository
            self.tokenEnv = tokenEnv
        }
    }

    /// Where events go.
    public struct Sink: Sendable, Hashable {
        public enum Kind: String, Sendable, CaseIterable {
            /// A Slack incoming webhook: `{"text": …, "blocks": […]}`.
            case slack
            /// The event's JSON, signed: `X-Innominatus-Signature-256: sha256=<HMAC-SHA256 of the body>`.
            case webhook
        }

        /// The URL, or the variable holding it (then it is a secret: never logged).
        public enum Address: Sendable, Hashable {
            case url(String)
            case environment(String)
        }

        public var name: String
        public var kind: Kind
        public var address: Address
        /// The variable holding the webhook's HMAC secret (required for `webhook`).
        public var secretEnv: String?
        public var events: Set<Event>

        public init(name: String, kind: Kind, address: Address, secretEnv: String? = nil, events: Set<Event>) {
            self.name = name
            self.kind = kind
            self.address = address
            self.secretEnv = secretEnv
            self.events = events
        }
    }

    public enum Event: String, Sendable, Hashable, CaseIterable, Comparable {
        /// A workflow is blocked (unapproved, re-pinned, invalid).
        case blocked
        /// A pair failed.
        case failed
        /// A pair stopped being retried.
        case stalled
        /// A pair succeeded after failing.
        case recovered
        /// A pass ran and everything it ran succeeded.
        case succeeded
        /// An environment-branch commit was written.
        case delivered

        public static func < (lhs: Event, rhs: Event) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Reads the file; nil with at least one error when it does not hold a valid configuration.
    public static func read(_ bytes: [UInt8], file: String) -> (config: NotificationConfig?, diagnostics: [SpecDiagnostic]) {
        let read = YAMLReader(limits: .default).read(bytes, file: file)
        guard read.diagnostics.isEmpty else { return (nil, read.diagnostics) }
        guard read.documents.count == 1, let root = read.documents.first else {
            let problem = SpecDiagnostic(file: file, at: .start, field: "",
                                         message: "expected one YAML document, found \(read.documents.count)")
            return (nil, [problem])
        }
        var decoder = NotificationConfigDecoder(file: file)
        let config = decoder.decode(root)
        let errors = decoder.checker.hasErrors
        return (errors ? nil : config, decoder.checker.diagnostics)
    }
}

/// The checks of a notifications file: every field strict, every problem at its file:line:column.
struct NotificationConfigDecoder {
    var checker: SpecChecker

    init(file: String) {
        checker = SpecChecker(file: file)
    }

    mutating func decode(_ root: YAMLNode) -> NotificationConfig? {
        guard let fields = checker.fields(root, at: .root, known: ["forge", "sinks", "dedupe"]) else { return nil }
        var config = NotificationConfig()
        if let node = fields["forge"] { config.forge = forge(node, at: "forge") }
        if let node = fields["sinks"], let items = checker.sequence(node, at: "sinks") {
            var names: Set<String> = []
            for (index, item) in items.enumerated() {
                let path = (FieldPath.root / "sinks").appending(index: index)
                guard let sink = sink(item, at: path) else { continue }
                if !names.insert(sink.name).inserted {
                    checker.error(item["name"]?.location ?? item.location, path / "name",
                                  "another sink is already named '\(sink.name)'; give each sink its own name")
                }
                config.sinks.append(sink)
            }
        }
        if let node = fields["dedupe"], let value = checker.duration(node, at: "dedupe") { config.dedupe = value }
        if config.forge == nil, config.sinks.isEmpty, !checker.hasErrors {
            checker.error(root.location, .root, "names neither a forge nor a sink, so nobody would be told anything; "
                + "add 'forge:' or 'sinks:'")
        }
        return config
    }

    private mutating func forge(_ node: YAMLNode, at path: FieldPath) -> NotificationConfig.Forge? {
        guard let fields = checker.fields(node, at: path, known: ["kind", "apiURL", "repository", "tokenEnv"],
                                          required: ["kind", "apiURL", "repository", "tokenEnv"]) else { return nil }
        let kind = fields["kind"].flatMap { checker.oneOf($0, at: path / "kind", NotificationConfig.Forge.Kind.allCases.map(\.rawValue)) }
        let api = fields["apiURL"].flatMap { url($0, at: path / "apiURL") }
        var repository = fields["repository"].flatMap { checker.string($0, at: path / "repository", minLength: 1) }
        if let name = repository, let kind, kind != "gitlab" {
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count != 2 || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
                checker.error(fields["repository"]!.location, path / "repository",
                              "'\(name)' is not OWNER/NAME, e.g. acme/platform")
                repository = nil
            }
        }
        let token = fields["tokenEnv"].flatMap { environmentName($0, at: path / "tokenEnv") }
        guard let kind, let api, let repository, let token else { return nil }
        return NotificationConfig.Forge(kind: .init(rawValue: kind)!, apiURL: String(api.trimmingSuffix("/")),
                                        repository: repository, tokenEnv: token)
    }

    private mutating func sink(_ node: YAMLNode, at path: FieldPath) -> NotificationConfig.Sink? {
        guard let fields = checker.fields(node, at: path, known: ["name", "kind", "url", "urlEnv", "secretEnv", "events"],
                                          required: ["name", "kind", "events"]) else { return nil }
        let name = fields["name"].flatMap {
            checker.matching($0, at: path / "name", ScorePatterns.isDNSLabel, "a sink name is lowercase letters, digits and '-'")
        }
        let kind = fields["kind"].flatMap { checker.oneOf($0, at: path / "kind", NotificationConfig.Sink.Kind.allCases.map(\.rawValue)) }
        var address: NotificationConfig.Sink.Address?
        switch (fields["url"], fields["urlEnv"]) {
        case (let url?, nil): address = self.url(url, at: path / "url").map { .url($0) }
        case (nil, let env?): address = environmentName(env, at: path / "urlEnv").map { .environment($0) }
        case (.some, .some): checker.error(node.location, path, "has both 'url' and 'urlEnv'; keep one")
        case (nil, nil): checker.error(node.location, path, "needs 'url' or 'urlEnv' (the variable holding a secret URL)")
        }
        let secret = fields["secretEnv"].flatMap { environmentName($0, at: path / "secretEnv") }
        if kind == "webhook", fields["secretEnv"] == nil {
            checker.error(node.location, path, "a webhook sink needs 'secretEnv', the variable holding the secret its "
                + "bodies are signed with (X-Innominatus-Signature-256)")
        }
        if kind == "slack", let secretNode = fields["secretEnv"] {
            checker.error(secretNode.location, path / "secretEnv", "Slack bodies are not signed; remove it (the URL is the secret: use urlEnv)")
        }
        var events: Set<NotificationConfig.Event> = []
        if let node = fields["events"], let items = checker.sequence(node, at: path / "events") {
            if items.isEmpty { checker.error(node.location, path / "events", "must name at least one event") }
            for (index, item) in items.enumerated() {
                let allowed = NotificationConfig.Event.allCases.map(\.rawValue)
                if let value = checker.oneOf(item, at: (path / "events").appending(index: index), allowed) {
                    events.insert(NotificationConfig.Event(rawValue: value)!)
                }
            }
        }
        guard let name, let kind, let address else { return nil }
        return NotificationConfig.Sink(name: name, kind: .init(rawValue: kind)!, address: address, secretEnv: secret, events: events)
    }

    /// An absolute http(s) URL with a host and no credentials in it.
    private mutating func url(_ node: YAMLNode, at path: FieldPath) -> String? {
        guard let text = checker.string(node, at: path, minLength: 1) else { return nil }
        let lower = text.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
            checker.error(node.location, path, "'\(text)' is not an http:// or https:// URL")
            return nil
        }
        let rest = text.drop { $0 != ":" }.dropFirst(3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.isEmpty {
            checker.error(node.location, path, "'\(text)' names no host")
            return nil
        }
        if authority.contains("@") {
            checker.error(node.location, path, "holds credentials; name the token's variable instead (tokenEnv, urlEnv)")
            return nil
        }
        if text.contains(where: { $0 == " " || $0.isNewline }) {
            checker.error(node.location, path, "contains white space")
            return nil
        }
        return text
    }

    private mutating func environmentName(_ node: YAMLNode, at path: FieldPath) -> String? {
        guard let name = checker.string(node, at: path, minLength: 1) else { return nil }
        guard EnvironmentName.isValid(name) else {
            checker.error(node.location, path, EnvironmentName.rule(name))
            return nil
        }
        return name
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: Character) -> Substring {
        var text = Substring(self)
        while text.last == suffix { text = text.dropLast() }
        return text
    }
}
