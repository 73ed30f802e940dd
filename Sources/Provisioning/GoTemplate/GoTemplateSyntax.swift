/// The parsed form of a Go `text/template` (the subset score-k8s's provisioners are written in;
/// docs/ARCHITECTURE.md §2, "Go-template provisioners").
///
/// Positions are 1-based line and column inside the template text; `GoTemplate` turns them into the
/// provisioner file's own line and column.
struct GoPosition: Sendable, Hashable, CustomStringConvertible {
    var line: Int
    var column: Int

    var description: String { "\(line):\(column)" }
}

indirect enum GoNode: Sendable, Hashable {
    case text(String, at: GoPosition)
    /// `{{ pipeline }}`: printed unless it declares or assigns variables.
    case action(GoPipeline)
    /// `if`/`with`: the first branch whose pipeline is true runs (`else if`, `else with` add branches).
    case conditional(GoConditional)
    case range(GoRange)
    case loopControl(isBreak: Bool, at: GoPosition)
}

struct GoConditional: Sendable, Hashable {
    struct Branch: Sendable, Hashable {
        var pipeline: GoPipeline
        /// `with`: the pipeline's value becomes dot inside the branch.
        var setsDot: Bool
        var body: [GoNode]
    }

    var branches: [Branch]
    var otherwise: [GoNode]?
}

struct GoRange: Sendable, Hashable {
    var pipeline: GoPipeline
    var body: [GoNode]
    var otherwise: [GoNode]?
}

struct GoPipeline: Sendable, Hashable {
    /// `$x := …` or `$k, $v := …` (range); with `isAssignment`, `$x = …` sets an existing variable.
    var variables: [String] = []
    var isAssignment = false
    var commands: [GoCommand]
    var position: GoPosition
}

struct GoCommand: Sendable, Hashable {
    var operands: [GoOperand]
    var position: GoPosition
}

struct GoOperand: Sendable, Hashable {
    indirect enum Kind: Sendable, Hashable {
        /// `.` alone.
        case dot
        /// `.A.B`: fields of dot.
        case field([String])
        /// `$x.A`, `$.A` (`$` is the data the template was given).
        case variable(String, [String])
        case function(String)
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
        case null
        /// `(pipeline).A`.
        case group(GoPipeline, [String])
    }

    var kind: Kind
    var position: GoPosition
}
