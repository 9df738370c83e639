package main

import (
	"fmt"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"app":"heldout-echo","nonce":"%s"}`, r.URL.Query().Get("nonce"))
	})
	_ = http.ListenAndServe(":8080", nil)
}
