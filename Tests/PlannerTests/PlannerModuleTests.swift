import Testing
@testable import Planner

@Test func plannerModuleLinks() { _ = PlannerModule.self }
