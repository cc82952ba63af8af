package providerserver

import (
	"context"
	"fmt"
	"net"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/stats"
)

// ConnTracker is implemented by servers that keep state per connection;
// Serve tells them when a connection ends. Base implements it.
type ConnTracker interface {
	ConnClosed(addr string)
}

// Serve serves srv on 127.0.0.1 on a free port until stop is called. It
// returns the port, for PULUMI_DEBUG_PROVIDERS=<pkg>:<port>. The server
// outlives engine runs: Cancel, which ends every run, does not stop it.
func Serve(srv pulumirpc.ResourceProviderServer) (port int, stop func(), err error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, fmt.Errorf("providerserver: listen on loopback: %w", err)
	}
	var opts []grpc.ServerOption
	if t, ok := srv.(ConnTracker); ok {
		opts = append(opts, grpc.StatsHandler(connHandler{t}))
	}
	// Programs can carry large values (bundled Worker scripts): accept what
	// the engine accepts.
	opts = append(opts, grpc.MaxRecvMsgSize(400<<20), grpc.MaxSendMsgSize(400<<20))
	s := grpc.NewServer(opts...)
	pulumirpc.RegisterResourceProviderServer(s, srv)
	go func() { _ = s.Serve(lis) }()
	return lis.Addr().(*net.TCPAddr).Port, s.Stop, nil
}

type connKey struct{}

// connHandler reports closed connections to a ConnTracker.
type connHandler struct{ t ConnTracker }

func (h connHandler) TagConn(ctx context.Context, info *stats.ConnTagInfo) context.Context {
	if info.RemoteAddr == nil {
		return ctx
	}
	return context.WithValue(ctx, connKey{}, info.RemoteAddr.String())
}

func (h connHandler) HandleConn(ctx context.Context, s stats.ConnStats) {
	if _, ok := s.(*stats.ConnEnd); !ok {
		return
	}
	if addr, ok := ctx.Value(connKey{}).(string); ok {
		h.t.ConnClosed(addr)
	}
}

func (connHandler) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (connHandler) HandleRPC(context.Context, stats.RPCStats)                       {}
