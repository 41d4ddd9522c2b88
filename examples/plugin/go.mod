module example.com/nerplugin

go 1.26.8

require github.com/nerbench/nerbench v0.0.0

require (
	github.com/BurntSushi/toml v1.6.0 // indirect
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794 // indirect
	github.com/dlclark/regexp2 v1.11.0 // indirect
	github.com/rivo/uniseg v0.4.7 // indirect
	github.com/yalue/onnxruntime_go v1.27.0 // indirect
	golang.org/x/perf v0.0.0-20260908200009-22c9c6c9d4da // indirect
	golang.org/x/text v0.42.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace github.com/nerbench/nerbench => ../..
