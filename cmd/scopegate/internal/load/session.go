package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// session is one initialized MCP client session.
type session struct {
	client *mcpclient.Client
	http   *http.Client
}

// connect opens and initializes a session. Each session has an HTTP client
// of its own, so that sessions do not take turns on a shared pool of idle
// connections and the run measures calls, not connection set-up.
func connect(ctx context.Context, o options) (*session, error) {
	hc := loopbackClient()
	var c *mcpclient.Client
	var err error
	if o.transport == "sse" {
		c, err = mcpclient.NewSSEMCPClient(o.url, transport.WithHTTPClient(hc))
	} else {
		c, err = mcpclient.NewStreamableHttpClient(o.url, transport.WithHTTPBasicClient(hc))
	}
	if err != nil {
		return nil, err
	}
	s := &session{client: c, http: hc}

	// The SSE stream lives as long as the context Start is given, so it
	// gets ctx itself; only the handshake has a deadline.
	if err := c.Start(ctx); err != nil {
		s.close()
		return nil, fmt.Errorf("starting: %w", err)
	}
	setupCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "scopegate-load", Version: "0"}
	if _, err := c.Initialize(setupCtx, init); err != nil {
		s.close()
		return nil, fmt.Errorf("initialize: %w", err)
	}
	return s, nil
}

func (s *session) close() {
	s.client.Close()
	s.http.CloseIdleConnections()
}

// loopbackClient returns an HTTP client with a pool of its own that dials
// and follows redirects only to loopback hosts.
func loopbackClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if !isLoopbackHost(host) {
				return nil, fmt.Errorf("refusing to dial %s: not on loopback", addr)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			if !isLoopbackHost(req.URL.Hostname()) {
				return fmt.Errorf("refusing to follow a redirect to %s: not on loopback", req.URL.Host)
			}
			return nil
		},
	}
}

// isLoopbackHost reports whether host is an IP address on loopback or the
// name localhost.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
