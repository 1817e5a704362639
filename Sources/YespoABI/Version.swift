@_cdecl("yespo_abi_version") public func yespo_abi_version() -> Int32 { 1 }
