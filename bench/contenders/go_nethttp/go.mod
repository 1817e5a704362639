module yespobench/gonethttp

go 1.19
