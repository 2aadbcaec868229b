package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// TestBrowserOIDCProviderSignInWithPrivateKeyJWT signs in at oidc-provider
// with a client that has no secret at all: it is registered for
// private_key_jwt with the site's /auth/jwks as its jwks_uri, so the code
// is redeemed only because oidc_auth signed a client assertion with its
// client_private_key, and oidc-provider fetched the public key from the
// site to check it.
func TestBrowserOIDCProviderSignInWithPrivateKeyJWT(t *testing.T) {
	site := reserveSite(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "client-key.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	op := startOIDCProvider(t, opClient{
		ID: opClientID, AuthMethod: "private_key_jwt", JWKSURI: site.URL() + "/auth/jwks",
		RedirectURIs: []string{site.RedirectURI()},
	})
	startCaddySite(t, site, "\t\tclient_id "+opClientID+"\n\t\tserver_metadata_url "+op.MetadataURL()+
		"\n\t\ttoken_endpoint_auth_method private_key_jwt\n\t\tclient_private_key "+keyFile+"\n")
	tab := newBrowser(t)
	page := site.URL() + "/index.html?from=keys"

	openPage(t, tab, "open a protected page", page)
	signInAtOIDCProvider(t, tab, op, opAlice)
	if at := location(t, tab); at != page {
		t.Errorf("after signing in with private_key_jwt the tab is at %s, want %s", at, page)
	}
	if shown := readShownUser(t, tab); shown.Email != opAlice.Email || shown.Sub != opAlice.Login {
		t.Errorf("the page shows %+v, want Alice (%s)", shown, opAlice.Email)
	}
}
