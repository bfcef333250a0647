// ggcr-registry serves go-containerregistry's in-memory registry (pkg/registry) with the OCI
// Referrers API enabled, for supply-oci's tests: a registry that answers
// GET /v2/<name>/referrers/<digest>, unlike Debian's docker-registry (distribution 2.8).
//
// Usage: ggcr-registry ADDR   (ADDR like 127.0.0.1:5000; a port of 0 picks a free one)
// It prints "listening on HOST:PORT" on stdout once it accepts connections, and serves until
// it is killed. Built by scripts/install-peers from Debian's
// golang-github-google-go-containerregistry-dev, offline (GO111MODULE=off, GOPATH).
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: ggcr-registry ADDR")
		os.Exit(2)
	}
	l, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", l.Addr())
	h := registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0)))
	log.Fatal(http.Serve(l, h))
}
