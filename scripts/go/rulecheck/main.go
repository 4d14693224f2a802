// Command rulecheck reads Traefik rules, one JSON object a line on standard input, and checks
// each with Traefik's own TCP or HTTP muxer (github.com/traefik/traefik/v3/pkg/muxer): the rule
// must parse in its syntax (v2 or v3), and match exactly the probes marked "want" and no other.
// It prints one JSON object a line: the case's id, a parse error, or the probes it got wrong.
// Built by scripts/rulecheck.sh; fed by tools/rules.ts (tests/rules).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/traefik/traefik/v3/pkg/middlewares/requestdecorator"
	muxhttp "github.com/traefik/traefik/v3/pkg/muxer/http"
	muxtcp "github.com/traefik/traefik/v3/pkg/muxer/tcp"
	"github.com/traefik/traefik/v3/pkg/tcp"
)

type probe struct {
	SNI  string   `json:"sni,omitempty"`
	ALPN []string `json:"alpn,omitempty"`
	IP   string   `json:"ip,omitempty"`
	Host string   `json:"host,omitempty"`
	Path string   `json:"path,omitempty"`
	Want bool     `json:"want"`
}

type rule struct {
	ID     string  `json:"id"`
	Kind   string  `json:"kind"`
	Syntax string  `json:"syntax"`
	Rule   string  `json:"rule"`
	Probes []probe `json:"probes"`
}

type result struct {
	ID     string `json:"id"`
	Error  string `json:"error,omitempty"`
	Wrong  []int  `json:"wrong,omitempty"`
	Probes int    `json:"probes"`
}

type tcpHandler struct{}

func (tcpHandler) ServeTCP(tcp.WriteCloser) {}

func checkTCP(r rule) result {
	mux, err := muxtcp.NewMuxer(nil)
	if err != nil {
		return result{ID: r.ID, Error: err.Error()}
	}
	if err := mux.AddRoute(r.Rule, r.Syntax, 0, "", tcpHandler{}); err != nil {
		return result{ID: r.ID, Error: err.Error()}
	}
	res := result{ID: r.ID, Probes: len(r.Probes)}
	for i, p := range r.Probes {
		ip := p.IP
		if ip == "" {
			ip = "192.0.2.1"
		}
		meta, err := muxtcp.NewConnData(p.SNI, &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000}, p.ALPN)
		if err != nil {
			return result{ID: r.ID, Error: fmt.Sprintf("probe %d: %v", i, err)}
		}
		// Match's bool says whether the route is the HostSNI(`*`) catch-all; a handler is a match.
		if handler, _ := mux.Match(meta); (handler != nil) != p.Want {
			res.Wrong = append(res.Wrong, i)
		}
	}
	return res
}

func checkHTTP(r rule) result {
	parser, err := muxhttp.NewSyntaxParser()
	if err != nil {
		return result{ID: r.ID, Error: err.Error()}
	}
	mux := muxhttp.NewMuxer(parser, nil)
	matched := false
	if err := mux.AddRoute(r.Rule, r.Syntax, 0, "", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { matched = true })); err != nil {
		return result{ID: r.ID, Error: err.Error()}
	}
	// As Traefik's entryPoint does: the request decorator puts the canonical host where Host() reads it.
	decorator := requestdecorator.New(nil)
	res := result{ID: r.ID, Probes: len(r.Probes)}
	for i, p := range r.Probes {
		matched = false
		req := httptest.NewRequest(http.MethodGet, "http://"+p.Host+p.Path, nil)
		decorator.ServeHTTP(httptest.NewRecorder(), req, mux.ServeHTTP)
		if matched != p.Want {
			res.Wrong = append(res.Wrong, i)
		}
	}
	return res
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var r rule
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			fmt.Fprintln(os.Stderr, "rulecheck: bad input line:", err)
			os.Exit(2)
		}
		var res result
		if r.Kind == "http" {
			res = checkHTTP(r)
		} else {
			res = checkTCP(r)
		}
		if err := out.Encode(res); err != nil {
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "rulecheck:", err)
		os.Exit(2)
	}
}
