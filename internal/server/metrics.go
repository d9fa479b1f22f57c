package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus series /metrics exposes. Each Server has its own registry, so tests
// can run several servers in one process.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	handler  http.Handler
	// series caches each label combination's counter and histogram: a vector's WithLabelValues
	// validates and hashes the label values and takes a lock on every call. The combinations are
	// bounded (Server.observe folds unknown services and actions into "unknown").
	series sync.Map // seriesKey → *series
}

type seriesKey struct{ service, action, code string }

type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func newMetrics() *metrics {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rootward_api_requests_total",
		Help: "AWS API requests answered, by service, action and result code (OK or the AWS error code).",
	}, []string{"service", "action", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rootward_api_request_duration_seconds",
		Help:    "Time to answer an AWS API request, by service.",
		Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1},
	}, []string{"service"})
	m.registry.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return m
}

// observe records one answered request.
func (m *metrics) observe(service, action, code string, took time.Duration) {
	k := seriesKey{service, action, code}
	v, ok := m.series.Load(k)
	if !ok {
		v, _ = m.series.LoadOrStore(k, &series{
			requests: m.requests.WithLabelValues(service, action, code),
			latency:  m.latency.WithLabelValues(service),
		})
	}
	s := v.(*series)
	s.requests.Inc()
	s.latency.Observe(took.Seconds())
}

// RegisterMetrics adds series of another part of the process (the store's, for example) to those
// /metrics exposes.
func (s *Server) RegisterMetrics(c prometheus.Collector) error { return s.metrics.registry.Register(c) }
