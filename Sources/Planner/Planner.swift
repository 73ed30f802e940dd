/// Pure planning: which (app, tier) pairs run, and why (see the Planner issue).
public enum PlannerModule {}
