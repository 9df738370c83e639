// Command heldout-echo answers GET /echo?nonce=X with JSON naming itself and X.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net/http"
	"os/signal"
	"syscall"
	"time"
)

const appName = "heldout-echo"

type reply struct {
	App   string `json:"app"`
	Nonce string `json:"nonce,omitempty"`
}

func echoHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(reply{App: appName, Nonce: r.URL.Query().Get("nonce")})
}

func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /echo", echoHandler)
	return mux
}

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	flag.Parse()
	server := &http.Server{Addr: *addr, Handler: newMux(), ReadHeaderTimeout: 5 * time.Second}
	// As PID 1 the process gets no default SIGTERM action: shut down on it.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()
	log.Printf("%s listening on %s", appName, *addr)
	if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
