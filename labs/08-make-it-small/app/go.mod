module example.com/stagelab-go-app

go 1.27
