// Command whoami stands in for traefik/whoami, whose Go module the Go proxy refuses (403) at
// every version: the same command-line contract (-port, default $WHOAMI_PORT_NUMBER or 80;
// -name or $WHOAMI_NAME) and the same plain-text answer on every path (Name, Hostname, IP
// lines, RemoteAddr, then the request as received), plus /health (200). Its other endpoints
// (/api, /data, /echo websockets, /bench) are not reproduced. Stops gracefully on SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	port := os.Getenv("WHOAMI_PORT_NUMBER")
	if port == "" {
		port = "80"
	}
	flag.StringVar(&port, "port", port, "give me a port number")
	name := flag.String("name", os.Getenv("WHOAMI_NAME"), "give me a name")
	flag.Parse()

	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if *name != "" {
			fmt.Fprintln(w, "Name:", *name)
		}
		hostname, _ := os.Hostname()
		fmt.Fprintln(w, "Hostname:", hostname)
		addrs, _ := net.InterfaceAddrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				fmt.Fprintln(w, "IP:", n.IP)
			}
		}
		fmt.Fprintln(w, "RemoteAddr:", r.RemoteAddr)
		if err := r.Write(w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	server := &http.Server{Addr: ":" + port, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
		defer cancel()
		_ = server.Shutdown(ctx)
	}()
	log.Printf("Starting up on port %s", port)
	if err := server.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
