module example.com/stagelab-go-cgo-app

go 1.27
