/// Score workloads, workflows and the admin config: models and validation (see the Specs issue).
///
/// The entry points are `SpecValidator` (one file's bytes and its repository path — the reconciler hands
/// it blob contents read from git) and `PlatformRepoValidator` (a platform-repo directory, with the
/// cross-file identity rules). Everything they return is a `Sendable` value.
public enum Specs {}
