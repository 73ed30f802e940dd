/// The GitOps loop (see the Reconciler issue).
public enum ReconcilerModule {}
