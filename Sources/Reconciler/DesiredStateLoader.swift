import GitKit
import Glibc
import Planner
import Provisioning
import Specs

/// Turns a tree snapshot (path → blob id) into the planner's `DesiredState`, reading and parsing only
/// blobs whose ids it has not seen: Scores unchanged since the applied state are taken from it, and
/// parsed files are cached by blob id (and path) for the life of the loader, so a long-running loop
/// re-parses only what a commit changed. A cold run parses everything.
public struct DesiredStateLoader: Sendable {
    public var limits: SpecLimits
    private var workflowCache: [String: DesiredWorkflow.Content] = [:]
    /// Valid workflows by blob id alone (see `workflowContent`).
    private var validWorkflows: [String: ParsedWorkflow] = [:]
    private var scoreCache: [String: ScoreFacts] = [:]
    /// The admin config of the last load, by its parse-cache key.
    private var configCache: (key: String, outcome: Result<AdminConfig, ParseCacheCodec.ConfigErrors>)?
    var provisionerCache: [String: Result<[ProvisionerDefinition], ProvisioningError>] = [:]
    /// Where `cmd://./script` provisioners are anchored: the checkout they run in.
    public var checkoutRoot: String
    /// The provisioners of the last `load` (repository files judged by its admin config, then the built-in
    /// ones); nil when delivery is off, so nothing is rendered.
    public internal(set) var provisioners: ProvisionerRegistry?
    /// How many blobs the last `load` read and parsed (tests check that unchanged files cost nothing).
    public private(set) var parsedBlobs = 0
    /// The applied state a loop's last pass wrote, by the id of its blob: the next pass of the same process
    /// reads, authenticates and decodes it only when the remote holds another (docs/ARCHITECTURE.md §11).
    public var appliedCache: (blob: String, state: AppliedState)?
    /// The workdir's parse cache (docs/ARCHITECTURE.md §19), opened by `PlanningPass`: what it holds seeds
    /// the caches above in a new process; nil parses as before.
    var parseCache: ParseCache?
    /// What the last `load` parsed and what it took from the parse cache, and the time each cost.
    public private(set) var costs = LoadCosts()

    /// Counts and times of one `load` (INNOMINATUS_TIMINGS prints them: parsing against decoding an entry).
    public struct LoadCosts: Sendable {
        /// How many files of one kind, and the time they took.
        public struct Tally: Sendable {
            public var count = 0
            public var time = Duration.zero

            mutating func add(since start: ContinuousClock.Instant) {
                count += 1
                time += ContinuousClock.now - start
            }
        }

        public var parsedScores = Tally(), parsedWorkflows = Tally(), parsedConfigs = Tally()
        public var decodedScores = Tally(), decodedWorkflows = Tally(), decodedConfigs = Tally()
    }

    public init(limits: SpecLimits = .default, checkoutRoot: String = "/") {
        self.limits = limits
        self.checkoutRoot = checkoutRoot
    }

    /// What planning needs from a Score file.
    struct ScoreFacts: Sendable {
        var product: String?
        var suspended: Bool
        var errors: [SpecDiagnostic]
        var resources: [ResourceRef] = []
        var productLocation: SourceLocation?
    }

    public mutating func load(_ snapshot: TreeSnapshot, applied: AppliedState, from repository: Repository) async throws -> DesiredState {
        parsedBlobs = 0
        costs = LoadCosts()
        parseCache?.beginLoad()
        provisioners = nil
        var desired = DesiredState(commit: snapshot.commit.hex)
        if let path = AdminConfig.path(where: { snapshot[$0] != nil }), let entry = snapshot[path] {
            switch try await adminConfig(path: path, id: entry.id, from: repository) {
            case .success(let config): desired.config = config
            case .failure(let errors): desired.configErrors = errors.list
            }
            if !desired.configErrors.isEmpty { return desired }
        }
        let classifier = RepoLocation.Classifier(config: desired.config)
        var scores: [String: (path: String, id: ObjectID)] = [:]
        var appWorkflows: [String: [(name: String, path: String, id: ObjectID)]] = [:]
        var platform: [(name: String, path: String, id: ObjectID)] = []
        var products: [String: [(name: String, path: String, id: ObjectID)]] = [:]
        // A Score "file" that is a symlink, a submodule or a folder is an error of its app, never a deletion.
        var unusableScores: [String: (path: String, id: String, problem: String)] = [:]
        for (path, entry) in snapshot.entries {
            let regular = entry.mode == .blob || entry.mode == .executable
            switch classifier.location(of: path) {
            case .score(let app) where regular: scores[app] = (path, entry.id)
            case .score(let app):
                unusableScores[app] = (path, entry.id.hex, entry.mode == .symlink ? "a symbolic link" : "a submodule")
            case .scoreFolder(let app, let scorePath): unusableScores[app] = (scorePath, "-", "a folder")
            case .appWorkflow(let app, let name) where regular: appWorkflows[app, default: []].append((name, path, entry.id))
            case .platformWorkflow(let name) where regular: platform.append((name, path, entry.id))
            case .productWorkflow(let product, let name) where regular: products[product, default: []].append((name, path, entry.id))
            default: continue
            }
        }
        var inputs = InputResolver(snapshot: snapshot)
        for file in platform {
            let content = try await workflowContent(file, at: .platformWorkflow(name: file.name), from: repository)
            desired.platformWorkflows.append(inputs.workflow(file, content))
        }
        for (product, files) in products {
            for file in files {
                let content = try await workflowContent(file, at: .productWorkflow(product: product, name: file.name), from: repository)
                desired.productWorkflows[product, default: []].append(inputs.workflow(file, content))
            }
        }
        desired.apps.reserveCapacity(scores.count)
        for (app, score) in scores {
            var facts: ScoreFacts
            if let known = applied.apps[app], known.scoreID == score.id.hex, let resources = known.resources {
                // Unparsed: only the rules of the path (the folder's name) can be broken.
                let errors = RepoIdentity.problems(at: .score(app: app), path: score.path, claims: .init(root: nil))
                facts = ScoreFacts(product: known.product, suspended: known.suspended, errors: errors, resources: resources)
            } else {
                facts = try await scoreFacts(app: app, path: score.path, id: score.id, from: repository)
            }
            if facts.productLocation == nil, let product = facts.product, !desired.config.admits(app: app, toProduct: product) {
                // An app refused its product: its error names the line, so read the Score the applied state stood for.
                facts = try await scoreFacts(app: app, path: score.path, id: score.id, from: repository)
            }
            var own: [DesiredWorkflow] = []
            for file in appWorkflows[app] ?? [] {
                let content = try await workflowContent(file, at: .appWorkflow(app: app, name: file.name), from: repository)
                own.append(inputs.workflow(file, content))
            }
            desired.apps[app] = DesiredApp(name: app, scorePath: score.path, scoreID: score.id.hex, product: facts.product,
                                           suspended: facts.suspended, errors: facts.errors, workflows: own)
            desired.apps[app]?.resources = facts.resources
            desired.apps[app]?.productLocation = facts.productLocation
        }
        for (app, score) in unusableScores where desired.apps[app] == nil {
            desired.apps[app] = DesiredApp(name: app, scorePath: score.path, scoreID: score.id, errors: [
                SpecDiagnostic(file: score.path, at: SourceLocation(line: 1, column: 1), field: "",
                               message: "the Score file is \(score.problem); it must be a regular file in the repository"),
            ])
        }
        if desired.config.delivery.enabled { try await loadProvisioners(into: &desired, snapshot: snapshot, from: repository) }
        for (name, definition) in desired.config.stepTypes {
            guard let program = definition.command.first, program.contains("/") else { continue }
            if let entry = snapshot[RepositoryPath.normalized(program)] { desired.stepTypeFiles[name] = entry.id.hex }
        }
        try await loadDeparted(into: &desired, applied: applied, from: repository)
        return desired
    }

    enum Read {
        case success([UInt8])
        /// At the file's first line: the whole file is refused.
        case failure(SpecDiagnostic)
    }

    /// A blob's bytes, or why it may not be read (too large): a file error, never a failed pass.
    func read(_ id: ObjectID, path: String, from repository: Repository) async throws -> Read {
        let bytes: [UInt8]
        do {
            bytes = try await repository.readBlob(id, limit: limits.maxFileBytes)
        } catch {
            guard error.code == .tooLarge else { throw error }
            return .failure(SpecDiagnostic(file: path, at: SourceLocation(line: 1, column: 1), field: "",
                                           message: "the file is over the limit of \(limits.maxFileBytes) bytes for a spec file; shrink it"))
        }
        return .success(bytes)
    }

    /// The admin config at `path`: from the parse cache, or read and parsed (and then cached there).
    private mutating func adminConfig(path: String, id: ObjectID, from repository: Repository) async throws
        -> Result<AdminConfig, ParseCacheCodec.ConfigErrors> {
        let diskKey = ParseCacheCodec.configKey(blob: id.hex, path: path)
        if let cached = configCache, cached.key == diskKey {
            parseCache?.markUsed(diskKey)
            return cached.outcome
        }
        let start = ContinuousClock.now
        if let line = parseCache?.line(diskKey), let outcome = ParseCacheCodec.config(line) {
            costs.decodedConfigs.add(since: start)
            configCache = (diskKey, outcome)
            return outcome
        }
        parsedBlobs += 1
        defer { costs.parsedConfigs.add(since: start) }
        let outcome: Result<AdminConfig, ParseCacheCodec.ConfigErrors>
        switch try await read(id, path: path, from: repository) {
        case .success(let bytes):
            let report = SpecValidator(limits: limits).validate(bytes, path: path, as: .adminConfig)
            outcome = report.adminConfig.map { .success($0) } ?? .failure(.init(list: report.errors))
        case .failure(let problem):
            outcome = .failure(.init(list: [problem]))
        }
        if let line = ParseCacheCodec.configLine(blob: id.hex, path: path, outcome) { parseCache?.store(diskKey, line: line) }
        configCache = (diskKey, outcome)
        return outcome
    }

    private mutating func scoreFacts(app: String, path: String, id: ObjectID, from repository: Repository) async throws -> ScoreFacts {
        let key = id.hex + " " + path
        let diskKey = ParseCacheCodec.scoreKey(blob: id.hex, path: path)
        if let cached = scoreCache[key] {
            parseCache?.markUsed(diskKey)
            return cached
        }
        let start = ContinuousClock.now
        if let line = parseCache?.line(diskKey), let facts = ParseCacheCodec.scoreFacts(line, app: app) {
            costs.decodedScores.add(since: start)
            scoreCache[key] = facts
            return facts
        }
        parsedBlobs += 1
        defer { costs.parsedScores.add(since: start) }
        var facts = ScoreFacts(product: nil, suspended: false, errors: [])
        switch try await read(id, path: path, from: repository) {
        case .failure(let problem):
            facts.errors = [problem]
        case .success(let bytes):
            let report = SpecValidator(limits: limits).validate(bytes, path: path, as: .score)
            // The identity rules of validate DIR (docs/ARCHITECTURE.md §1, §15): folder name and metadata.name.
            let identity = RepoIdentity.problems(at: .score(app: app), path: path, claims: .init(root: report.root))
            if let score = report.score {
                facts.errors = identity
                facts.product = score.metadata.product
                facts.productLocation = report.root?["metadata"]?["product"]?.location
                facts.suspended = score.metadata.annotations[DesiredApp.suspendAnnotation] == "true"
                facts.resources = score.resources.map { ResourceRef(name: $0.key, type: $0.value.type, class: $0.value.class,
                                                                    id: $0.value.id) }.sorted()
            } else {
                facts.errors = report.errors + identity
            }
        }
        scoreCache[key] = facts
        parseCache?.store(diskKey, line: ParseCacheCodec.scoreLine(blob: id.hex, path: path, app: app, facts: facts))
        return facts
    }

    /// - Parameter location: where the file lies (`RepoLocation`), which fixes its identity rules.
    mutating func workflowContent(_ file: (name: String, path: String, id: ObjectID), at location: RepoLocation,
                                  from repository: Repository) async throws -> DesiredWorkflow.Content {
        let key = file.id.hex + " " + file.path
        let validKey = ParseCacheCodec.workflowKey(blob: file.id.hex)
        let invalidKey = ParseCacheCodec.invalidKey(blob: file.id.hex, path: file.path)
        if let cached = workflowCache[key] {
            parseCache?.markUsed(validKey)
            parseCache?.markUsed(invalidKey)
            return cached
        }
        let content: DesiredWorkflow.Content
        let start = ContinuousClock.now
        // A valid workflow's model does not depend on its path (only messages do): a blob parsed once
        // serves every file holding it — apps that copy the same workflow cost one parse, not thousands.
        if let parsed = validWorkflows[file.id.hex] {
            parseCache?.markUsed(validKey)
            content = Self.placed(parsed, file, at: location)
        } else if let line = parseCache?.line(validKey), let parsed = ParseCacheCodec.parsedWorkflow(line) {
            costs.decodedWorkflows.add(since: start)
            validWorkflows[file.id.hex] = parsed
            content = Self.placed(parsed, file, at: location)
        } else if let line = parseCache?.line(invalidKey), let invalid = ParseCacheCodec.invalidWorkflow(line) {
            costs.decodedWorkflows.add(since: start)
            content = Self.invalid(invalid, file, at: location)
        } else {
            parsedBlobs += 1
            defer { costs.parsedWorkflows.add(since: start) }
            switch try await read(file.id, path: file.path, from: repository) {
            case .failure(let problem):
                let invalid = ParseCacheCodec.InvalidWorkflow(errors: [problem], claims: nil)
                parseCache?.store(invalidKey, line: ParseCacheCodec.invalidLine(blob: file.id.hex, path: file.path, invalid))
                content = Self.invalid(invalid, file, at: location)
            case .success(let bytes):
                let report = SpecValidator(limits: limits).validate(bytes, path: file.path, as: .workflow)
                if let workflow = report.workflow {
                    let parsed = ParsedWorkflow(workflow: workflow, claims: RepoIdentity.Claims(root: report.root))
                    validWorkflows[file.id.hex] = parsed
                    if let line = ParseCacheCodec.workflowLine(blob: file.id.hex, parsed: parsed) { parseCache?.store(validKey, line: line) }
                    content = Self.placed(parsed, file, at: location)
                } else {
                    let invalid = ParseCacheCodec.InvalidWorkflow(errors: report.errors, claims: .init(root: report.root))
                    parseCache?.store(invalidKey, line: ParseCacheCodec.invalidLine(blob: file.id.hex, path: file.path, invalid))
                    content = Self.invalid(invalid, file, at: location)
                }
            }
        }
        workflowCache[key] = content
        return content
    }

    /// A workflow that did not parse: its errors, then (when it was read) the identity rules of its place.
    static func invalid(_ invalid: ParseCacheCodec.InvalidWorkflow, _ file: (name: String, path: String, id: ObjectID),
                        at location: RepoLocation) -> DesiredWorkflow.Content {
        guard let claims = invalid.claims else { return .invalid(invalid.errors) }
        return .invalid(invalid.errors + RepoIdentity.problems(at: location, path: file.path, claims: claims))
    }

    /// A valid workflow model with what it claims about itself (name, kind, product, and where they are
    /// written), for the identity rules that depend on where the file lies.
    struct ParsedWorkflow: Sendable, Hashable, Codable {
        var workflow: Workflow
        var claims: RepoIdentity.Claims
    }

    /// The workflow where `file` lies, judged by the identity rules `validate DIR` applies (`RepoIdentity`).
    static func placed(_ parsed: ParsedWorkflow, _ file: (name: String, path: String, id: ObjectID),
                       at location: RepoLocation) -> DesiredWorkflow.Content {
        let problems = RepoIdentity.problems(at: location, path: file.path, claims: parsed.claims)
        return problems.isEmpty ? .valid(parsed.workflow) : .invalid(problems)
    }
}

/// Resolves a workflow's `inputs` (a file, a folder, or a glob) to the blobs of the snapshot.
struct InputResolver {
    let snapshot: TreeSnapshot
    private var resolved: [String: [String: String]] = [:]

    init(snapshot: TreeSnapshot) {
        self.snapshot = snapshot
    }

    /// The workflow with its `inputs` resolved.
    mutating func workflow(_ file: (name: String, path: String, id: ObjectID), _ content: DesiredWorkflow.Content) -> DesiredWorkflow {
        var resolved: [String: String] = [:]
        if case .valid(let workflow) = content {
            for pattern in workflow.inputs { resolved.merge(resolve(pattern)) { first, _ in first } }
        }
        return DesiredWorkflow(name: file.name, path: file.path, blobID: file.id.hex, content: content, inputs: resolved)
    }

    /// The files `pattern` names, as `InputPattern` says (the rule `approve` and `validate DIR` share).
    mutating func resolve(_ pattern: String) -> [String: String] {
        if let known = resolved[pattern] { return known }
        var result: [String: String] = [:]
        for path in InputPattern(pattern).resolve(in: snapshot.entries.keys, contains: { snapshot[$0] != nil }) {
            if let entry = snapshot[path] { result[path] = entry.id.hex }
        }
        resolved[pattern] = result
        return result
    }
}
