package admin

import (
	"log/slog"
	"time"

	"github.com/seednet/p2p"
)

// Config configures the admin API. The zero value is ready to use: no
// token, requests from localhost and IP addresses only, default limits.
type Config struct {
	// Token, if not empty, is the secret an HTTP request must carry:
	// "Authorization: Bearer TOKEN", or TOKEN as the password of HTTP
	// basic authentication (any user name). Requests without it get 401.
	// Empty means no token. It does not apply to stream connections,
	// which the socket's file mode protects. ReadTokenFile reads one.
	Token string

	// Hosts are the host names an HTTP request's Host header may name
	// besides IP addresses and "localhost", which are always accepted:
	// a web page whose domain an attacker points at 127.0.0.1 (DNS
	// rebinding) gets 403. "*" accepts any host. Nil means none besides
	// those. Set it when the API is reached by name, as
	// node.example.org:8545.
	Hosts []string

	// MaxRequestBytes bounds an HTTP request body, and a message on a
	// stream connection. Zero means DefaultMaxRequestBytes.
	MaxRequestBytes int64

	// MaxBatch bounds the requests in a batch. Zero means
	// DefaultMaxBatch.
	MaxBatch int

	// BodyTimeout bounds the time an HTTP client may take to send its
	// request body, even when the http.Server has no ReadTimeout. Zero
	// means DefaultBodyTimeout.
	BodyTimeout time.Duration

	// MaxConns bounds the stream connections a Server serves at once;
	// one more is told so and closed. Zero means DefaultMaxConns.
	MaxConns int

	// MaxSubscriptions bounds the subscriptions of one stream
	// connection. Zero means DefaultMaxSubscriptions.
	MaxSubscriptions int

	// WriteTimeout bounds the time a response or notification may take
	// to be written to a stream connection; a client that does not read
	// for that long is disconnected. Zero means DefaultWriteTimeout.
	WriteTimeout time.Duration

	// Logger receives the API's logs (connections refused, clients cut
	// off). Nil means no logging.
	Logger *slog.Logger
}

// The defaults of Config.
const (
	DefaultMaxRequestBytes  = 1 << 20
	DefaultMaxBatch         = 100
	DefaultBodyTimeout      = 10 * time.Second
	DefaultMaxConns         = 32
	DefaultMaxSubscriptions = 16
	DefaultWriteTimeout     = 10 * time.Second
)

// withDefaults returns cfg with its zero values replaced by the defaults.
func (cfg Config) withDefaults() Config {
	if cfg.MaxRequestBytes <= 0 {
		cfg.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = DefaultBodyTimeout
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MaxSubscriptions <= 0 {
		cfg.MaxSubscriptions = DefaultMaxSubscriptions
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// api is the API of one p2p.Server with a checked configuration; the
// HTTP handler and the stream Server share it.
type api struct {
	srv *p2p.Server
	cfg Config
}

func newAPI(srv *p2p.Server, cfg Config) *api {
	return &api{srv: srv, cfg: cfg.withDefaults()}
}
