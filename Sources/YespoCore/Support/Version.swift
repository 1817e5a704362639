public let yespoVersionString = "0.1.0"
