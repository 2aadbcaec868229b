package devprovider

import (
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// frontchannelFrames are the front-channel logout URIs to frame for the
// session named by an ID token this provider issued: the client's
// FrontchannelLogoutURI with iss and that session's sid. The hint is only
// read, not verified: this is a development provider, and the RP checks the
// sid against its own session anyway.
func (p *Provider) frontchannelFrames(idTokenHint string) []string {
	client, ok := p.clients[audienceOf(idTokenHint)]
	if !ok || client.FrontchannelLogoutURI == "" {
		return nil
	}
	parts := strings.Split(idTokenHint, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var claims struct {
		SID string `json:"sid"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.SID == "" {
		return nil
	}
	u, err := url.Parse(client.FrontchannelLogoutURI)
	if err != nil {
		return nil
	}
	q := u.Query()
	q.Set("iss", p.Issuer())
	q.Set("sid", claims.SID)
	u.RawQuery = q.Encode()
	return []string{u.String()}
}

var framedPage = template.Must(template.New("framed").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signed out – development provider</title></head>
<body><h1>Signed out</h1>
<p>Development provider – for development only. Signing you out of the sites you used…</p>
{{range .Frames}}<iframe class="frontchannel" src="{{.}}" width="1" height="1" onload="this.dataset.loaded='yes'"></iframe>
{{end}}{{if .Next}}<p><a id="continue" href="{{.Next}}">Continue</a></p>{{end}}
</body></html>
`))

// renderFramed shows the sign-out page that frames the front-channel logout
// URIs, with a link on to next (none when empty).
func renderFramed(w http.ResponseWriter, frames []string, next string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(http.StatusOK)
	_ = framedPage.Execute(w, struct {
		Frames []string
		Next   string
	}{frames, next})
}
