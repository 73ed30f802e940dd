/// A validated spec: the model of whichever kind the file is.
public enum SpecDocument: Sendable, Hashable {
    case score(ScoreWorkload)
    case workflow(Workflow)
    case adminConfig(AdminConfig)
}
