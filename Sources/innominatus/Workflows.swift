import ArgumentParser
import Foundation
import Reconciler
import Specs

/// `innominatus workflows list|show --repo ... [--product P] [--tier T]`: workflow discovery on the
/// command line, the same data as `GET /api/v1/workflows`.
struct Workflows: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflows",
        abstract: "List the platform repository's workflows, with owner, phase, triggers and approval state.",
        subcommands: [List.self, Show.self])

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List workflows (filters: --tier, --product).")

        @OptionGroup var remote: RemoteOptions

        @Option(help: "Only this tier: platform, product or application.")
        var tier: Tier?

        @Option(help: "Only what runs for this product's apps (platform, its product workflows, its apps' own).")
        var product: String?

        @Option(help: "Output format: text or json.")
        var output: Output = .text

        func run() async throws {
            let catalog = try await WorkflowDiscovery.catalog(remote)
            let entries = catalog.filtered(tier: tier, product: product)
            switch output {
            case .json: print(try WorkflowDiscovery.json(entries))
            case .text:
                for entry in entries {
                    let columns = [entry.name, entry.tier.rawValue, entry.phase ?? "invalid", entry.approval.rawValue,
                                   "owner=\(entry.owner ?? "-")", "steps=\(entry.stepCount)",
                                   "triggers=\(entry.triggers.joined(separator: ","))"]
                    print(columns.joined(separator: "  "))
                }
                if entries.isEmpty { print("no workflows") }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one workflow: NAME (platform), PRODUCT/NAME (product) or APP/NAME (application).")

        @OptionGroup var remote: RemoteOptions

        @Argument(help: "The workflow's full name.")
        var name: String

        @Option(help: "Output format: text or json.")
        var output: Output = .text

        func run() async throws {
            let catalog = try await WorkflowDiscovery.catalog(remote)
            let matches = catalog.entries.filter { $0.name == name }
            guard !matches.isEmpty else { throw CleanFailure("no workflow '\(name)'; `innominatus workflows list` shows them") }
            switch output {
            case .json: print(try WorkflowDiscovery.json(matches.count == 1 ? [matches[0]] : matches))
            case .text:
                for entry in matches {
                    print("\(entry.name) (\(entry.tier.rawValue) tier) \(entry.path)")
                    print("  approval: \(entry.approval.rawValue)" + (entry.approvalRequired ? "" : " (no approval needed)"))
                    print("  digest:   \(entry.digest)")
                    print("  pin:      \(entry.pin)" + (entry.inputs.isEmpty ? "" : " (with \(entry.inputs.joined(separator: ", ")))"))
                    print("  owner:    \(entry.owner ?? "-")")
                    if let description = entry.description { print("  about:    \(description)") }
                    print("  phase:    \(entry.phase ?? "-")   triggers: \(entry.triggers.joined(separator: ", "))")
                    for step in entry.steps { print("  step \(step.name) (\(step.type))") }
                    for error in entry.errors { print("  error: \(error)") }
                }
            }
        }
    }
}

extension Tier: ExpressibleByArgument {}

/// The catalog of the remote's head, read through a plan (nothing is executed or written but the cache).
enum WorkflowDiscovery {
    static func catalog(_ remote: RemoteOptions) async throws -> WorkflowCatalog {
        let pass = PlanningPass(repo: remote.repo, branch: remote.branch, workdir: remote.workdir)
        var loader = DesiredStateLoader()
        return WorkflowCatalog(try await pass.run(now: .now, loader: &loader).desired)
    }

    static func json(_ entries: [WorkflowEntry]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(entries), as: UTF8.self)
    }
}
