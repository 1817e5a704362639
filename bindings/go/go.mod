module github.com/yespo-client/yespo-go

go 1.19
