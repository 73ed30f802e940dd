import Testing
@testable import Reconciler

@Test func reconcilerModuleLinks() { _ = ReconcilerModule.self }
