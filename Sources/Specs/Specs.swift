/// Score workloads, workflows and the admin config: models and validation (see the Specs issue).
public enum Specs {}
