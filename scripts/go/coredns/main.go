// Command coredns is CoreDNS (github.com/coredns/coredns, the dns-demo app's image) with the
// plugins its default configuration uses: without a Corefile CoreDNS serves `whoami` and `log` on
// the port -dns.port names, which is how the catalog runs it. The end-to-end tests run this binary
// with the arguments of the rendered Deployment (scripts/coredns.sh builds it).
package main

import (
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/whoami"
)

func main() {
	coremain.Run()
}
