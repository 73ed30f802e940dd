import Testing
@testable import Provisioning

@Test func provisioningModuleLinks() { _ = ProvisioningModule.self }
