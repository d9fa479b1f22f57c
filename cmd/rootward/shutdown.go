package main

import (
	"net"
	"net/http"
	"sync"
)

// quietConns closes, once the server shuts down, the connections that carry no request: idle
// keep-alive ones and new ones whose first request has not arrived. http.Server.Shutdown closes
// idle ones itself, but waits until a new connection is 5 seconds old (Go issue 22682), so one
// browser preconnect held SIGTERM up by 5 seconds. In-flight requests still finish: their
// connections are active, and Shutdown closes them after the response.
type quietConns struct {
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	closing bool
}

// install makes srv report its connections to q and close the quiet ones on Shutdown (after the
// listeners have stopped accepting).
func (q *quietConns) install(srv *http.Server) {
	q.conns = make(map[net.Conn]struct{})
	srv.ConnState = q.track
	srv.RegisterOnShutdown(q.closeAll)
}

// track is the server's ConnState hook.
func (q *quietConns) track(c net.Conn, st http.ConnState) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch st {
	case http.StateNew, http.StateIdle:
		if q.closing {
			// Accepted, or gone idle, after shutdown began.
			c.Close()
			return
		}
		q.conns[c] = struct{}{}
	default:
		delete(q.conns, c)
	}
}

// closeAll closes every quiet connection now, and every one that turns quiet later.
func (q *quietConns) closeAll() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closing = true
	for c := range q.conns {
		c.Close()
		delete(q.conns, c)
	}
}
