module yespobench/gofile

go 1.19

require github.com/yespo-client/yespo-go v0.0.0

replace github.com/yespo-client/yespo-go => ../../../bindings/go
