import ArgumentParser
import Foundation
import Migration
import ProcessSupport

/// `innominatus migrate SRC --output DST [--dry-run]`: a platform repo of the original innominatus →
/// this layout. All logic is in the Migration target; this parses, reads, prints and writes.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring a platform repo over from the original innominatus (Go).",
        discussion: """
            SRC is a folder laid out as the original repository: an admin-config.yaml (workflowPolicies) or a \
            kind: WorkflowPolicies document, workflows/platform/, workflows/products/<product>/ and \
            workflows/archive/..., and Score files wherever they lie. DST (a new or empty folder) receives \
            policies/admin-config.yaml, workflows/platform/, workflows/products/<product>/, one \
            apps/<name>/score.yaml per workload, golden-paths/ (the original's kind: Workflow golden paths, \
            as manual workflows to copy into apps/<app>/workflows/), workflows/plugins/ (plugins for the \
            original's step types, registered under stepTypes: terraform, kubernetes, ansible and policy call \
            the real tool and fail clearly when it is not on the reconciler's PATH; placeholder types fail \
            saying what to configure), the files steps name, and MIGRATION.md. \
            Every workflow keeps its name, tier, phase, triggers and steps in order; placeholders are \
            translated or listed. The report (every file, every change, every dropped field with its \
            reason, every manual step, with SRC file:line:column) is printed on stdout and written as \
            MIGRATION.md. A file that would not validate is written under migration/rejected/ instead, so \
            `innominatus validate DST` passes. Nothing is written with --dry-run, nor before the whole \
            migration is made. Exit status: 0 migrated, 1 the destination could not be written, 2 usage \
            (SRC is not a folder, DST exists and is not empty, or lies inside SRC).
            """)

    @Argument(help: "The original repository's folder (a checkout).")
    var source: String

    @Option(help: "The folder to write the platform repo into (new, or empty).")
    var output: String

    @Flag(help: "Print the report; write nothing.")
    var dryRun = false

    func run() throws {
        let migrated: MigrationResult
        do {
            try MigrationFiles.checkDestination(output, source: source)
            migrated = Migrator().migrate(try MigrationFiles.read(source))
        } catch let problem as MigrationFiles.Problem {
            StandardStream.error.write("Error: \(problem.message)\nUsage: innominatus \(Self.usageString())\n")
            throw ExitCode(2)
        }
        print(migrated.report.markdown, terminator: "")
        guard !dryRun else {
            print("\n(--dry-run: nothing written; \(migrated.files.count) files would be written to \(output))")
            return
        }
        do {
            try MigrationFiles.write(migrated, from: source, to: output)
        } catch {
            StandardStream.error.write("Error: \(error)\n")
            throw ExitCode(1)
        }
        print("\nWrote \(migrated.files.count) files to \(output).")
    }
}
