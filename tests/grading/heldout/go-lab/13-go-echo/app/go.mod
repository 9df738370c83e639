module example.com/heldout-echo

go 1.27
