// Command stagelab-go-app is a small HTTP server that the Stagelab course packs
// into images from the full golang image down to scratch.
//
// It uses the standard library only, so it builds offline and, with
// CGO_ENABLED=0, into one static binary that needs nothing from the image.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

const appName = "stagelab-go-app"

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

// info is what GET / answers: only the real server knows these values.
type info struct {
	App     string `json:"app"`
	Version string `json:"version"`
	Go      string `json:"go"`
	User    int    `json:"user"`
	// Nonce echoes GET /?nonce=X: a grader sends a fresh random token, so only a
	// server that really runs this code can answer it (a canned reply cannot).
	Nonce string `json:"nonce,omitempty"`
}

func newHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(info{
			App: appName, Version: version, Go: runtime.Version(), User: os.Getuid(),
			Nonce: r.URL.Query().Get("nonce"),
		})
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	return mux
}

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Printf("%s %s (%s)\n", appName, version, runtime.Version())
		return
	}

	server := &http.Server{Addr: *addr, Handler: newHandler(), ReadHeaderTimeout: 5 * time.Second}

	// As PID 1 in a container the process gets no default SIGTERM action:
	// catch it and shut down, or `docker stop` waits 10 s and kills.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdownCtx)
	}()

	log.Printf("%s %s listening on %s", appName, version, *addr)
	if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	log.Print("stopped cleanly")
}
