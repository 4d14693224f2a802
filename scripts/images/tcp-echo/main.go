// Command tcp-echo is the server of the tcp-echo image (the dev stack's iceymoss/tcp-echo:1.0):
// it writes back every byte it reads, on each connection, until the client closes.
//
// On SIGTERM it stops accepting and lets the open connections finish: a pod being replaced keeps
// serving its clients until they close or the kubelet kills it at the end of the termination
// grace period. Listens on :3333 (-listen, or $PORT).
package main

import (
	"errors"
	"flag"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

func main() {
	addr := ":3333"
	if p := os.Getenv("PORT"); p != "" {
		addr = ":" + p
	}
	flag.StringVar(&addr, "listen", addr, "address to listen on")
	flag.Parse()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds | log.LUTC)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("tcp-echo listening on %s", ln.Addr())

	var open sync.WaitGroup
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		s := <-stop
		log.Printf("%s: no new connections; waiting for the open ones to close", s)
		ln.Close()
	}()

	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				break
			}
			log.Printf("accept: %v", err)
			continue
		}
		open.Add(1)
		go func() {
			defer open.Done()
			defer conn.Close()
			n, err := io.Copy(conn, conn)
			if err != nil {
				log.Printf("%s: %d bytes echoed, then %v", conn.RemoteAddr(), n, err)
			}
		}()
	}
	open.Wait()
	log.Printf("all connections closed; exiting")
}
