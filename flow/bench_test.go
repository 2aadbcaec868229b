package flow

import (
	"context"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

// BenchmarkExchangeVerify measures this module's own CPU per sign-in once
// metadata and keys are cached: ID-token verification (signature, claims,
// nonce), claim decoding and the Identity. The token
// endpoint round trip is the provider's time, so it is left out. Target: well
// under 1 ms per op.
func BenchmarkExchangeVerify(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256"} {
		b.Run(alg, func(b *testing.B) {
			r := newRig(b, nil)
			r.dev.SetBehavior(devprovider.Behavior{Alg: alg})
			req := NewAuthRequest()
			first, err := r.p.Exchange(context.Background(), r.code(b, req), req)
			if err != nil {
				b.Fatal(err)
			}
			d, err := r.p.discover(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			tok := &tokenResponse{AccessToken: first.AccessToken, IDToken: first.IDToken}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := r.p.identity(ctx, d, tok, req.Nonce); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAuthCodeURL: the CPU to start a sign-in (fresh state, nonce and
// verifier, and the URL) with metadata cached.
func BenchmarkAuthCodeURL(b *testing.B) {
	r := newRig(b, nil)
	ctx := context.Background()
	if _, _, err := r.p.AuthCodeURL(ctx, NewAuthRequest()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := r.p.AuthCodeURL(ctx, NewAuthRequest()); err != nil {
			b.Fatal(err)
		}
	}
}
