import Testing
@testable import YespoCore
@Test func versionIsSet() { #expect(!yespoVersionString.isEmpty) }
