import Testing
@testable import Server

@Test func serverModuleLinks() { _ = ServerModule.self }
