module example.com/responder

go 1.27
