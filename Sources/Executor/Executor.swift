/// Runs workflow steps (see the Executor issue).
public enum ExecutorModule {}
