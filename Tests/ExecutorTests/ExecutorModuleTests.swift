import Testing
@testable import Executor

@Test func executorModuleLinks() { _ = ExecutorModule.self }
