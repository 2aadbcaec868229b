package oidcauth

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/caddy-oidc-auth/oidcauth/flow"
)

// metrics are the handler's Prometheus series, in Caddy's registry (served
// by Caddy's own metrics endpoint). Several oidc_auth handlers in one
// config share them.
type metrics struct {
	signIns        *prometheus.CounterVec // provider
	signInFailures *prometheus.CounterVec // provider, reason
	signOuts       *prometheus.CounterVec // provider
	fetches        *prometheus.CounterVec // provider, kind, result
	sessionChecks  *prometheus.CounterVec // result

	// Resolved once: the hot path only does an atomic add.
	checkSignedIn, checkAnonymous, checkRefused prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		signIns: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "oidc_auth", Name: "sign_ins_total",
			Help: "Completed sign-ins, by provider.",
		}, []string{"provider"})),
		signInFailures: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "oidc_auth", Name: "sign_in_failures_total",
			Help: "Sign-ins that failed, by provider and reason.",
		}, []string{"provider", "reason"})),
		signOuts: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "oidc_auth", Name: "sign_outs_total",
			Help: "Sign-outs, by provider and kind (user, backchannel, frontchannel, refresh_refused).",
		}, []string{"provider", "kind"})),
		fetches: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "oidc_auth", Name: "provider_fetches_total",
			Help: "Fetches of provider metadata and signing keys, by provider, kind (metadata, jwks) and result (ok, error).",
		}, []string{"provider", "kind", "result"})),
		sessionChecks: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "oidc_auth", Name: "session_checks_total",
			Help: "Requests checked for a session, by result (signed_in, anonymous, refused).",
		}, []string{"result"})),
	}
	m.checkSignedIn = m.sessionChecks.WithLabelValues("signed_in")
	m.checkAnonymous = m.sessionChecks.WithLabelValues("anonymous")
	m.checkRefused = m.sessionChecks.WithLabelValues("refused")
	return m
}

// register adds c to reg, or returns the collector already there under the
// same name (a second oidc_auth handler in the same config).
func register(reg prometheus.Registerer, c *prometheus.CounterVec) *prometheus.CounterVec {
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing
			}
		}
	}
	return c
}

// onFetch is the flow.Config.OnFetch of one provider.
func (m *metrics) onFetch(provider string) func(kind string, err error) {
	return func(kind string, err error) {
		result := "ok"
		if err != nil {
			result = "error"
		}
		m.fetches.WithLabelValues(provider, kind, result).Inc()
	}
}

// failureReason names a sign-in failure for the metrics.
func failureReason(err error) string {
	switch {
	case errors.Is(err, flow.ErrMixUp):
		return "mix_up"
	case errors.Is(err, flow.ErrRestricted):
		return "restricted"
	case errors.Is(err, flow.ErrUnavailable):
		return "provider_unavailable"
	case errors.Is(err, flow.ErrMisconfigured):
		return "provider_misconfigured"
	case errors.Is(err, flow.ErrCodeRefused):
		return "code_refused"
	case errors.Is(err, flow.ErrInvalidToken):
		return "invalid_token"
	}
	return "other"
}
