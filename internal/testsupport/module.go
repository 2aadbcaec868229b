package testsupport

import "time"

// Paths and timings of the oidc_auth module that black-box tests rely on.
// Each mirrors the module's own unexported constant of the same name (in
// handler.go, backchannel.go and revocation.go); change both together.
const (
	LoginPath              = "/auth/login"               // mirrors loginPath
	LogoutPath             = "/auth/logout"              // mirrors logoutPath
	UserPath               = "/auth/user"                // mirrors userPath
	CallbackPath           = "/oauth2callback"           // the path of every test site's redirect_uri
	BackchannelLogoutPath  = "/auth/backchannel-logout"  // mirrors backchannelLogoutPath
	FrontchannelLogoutPath = "/auth/frontchannel-logout" // mirrors frontchannelLogoutPath

	// MaxLogoutRequestBytes mirrors maxLogoutRequestBytes: the largest
	// back-channel logout form the module reads.
	MaxLogoutRequestBytes = 64 << 10

	// RevocationRefreshEvery mirrors revocationRefreshEvery: how often a
	// Caddy reads the revocations other Caddys stored.
	RevocationRefreshEvery = 2 * time.Second
)
