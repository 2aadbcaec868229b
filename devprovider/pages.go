package devprovider

import (
	"html/template"
	"net/http"
	"sort"
)

// pageStyle is shared by every page: a centred card that looks finished in any browser.
const pageStyle = `<style>
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
 font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#eef1f5;color:#1f2933}
main{width:100%;max-width:26rem;margin:1rem;background:#fff;border-radius:12px;padding:2rem;
 box-shadow:0 4px 24px rgba(31,41,51,.12)}
h1{font-size:1.4rem;margin:0 0 .25rem}
.dev{display:inline-block;margin:0 0 1.25rem;padding:.2rem .6rem;border-radius:6px;
 background:#fff4e5;color:#8a4b00;font-size:.8rem;font-weight:600}
label{display:block;font-size:.9rem;margin:.75rem 0 .25rem}
input[type=text],input[type=password]{width:100%;padding:.6rem .7rem;border:1px solid #c5ccd6;border-radius:8px;font:inherit}
button{width:100%;margin-top:1.25rem;padding:.65rem;border:0;border-radius:8px;background:#2f6fed;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button:hover{background:#2358c4}
.error{margin:0 0 1rem;padding:.6rem .8rem;border-radius:8px;background:#fdecec;color:#9b1c1c}
.users{margin-top:1.75rem;border-top:1px solid #e4e7eb;padding-top:1rem}
.users h2{font-size:.95rem;margin:0 0 .5rem}
.user{display:flex;align-items:center;justify-content:space-between;gap:.5rem;padding:.4rem 0}
.user small{color:#616e7c}
.user button{width:auto;margin:0;padding:.35rem .8rem;background:#e8effd;color:#2f6fed}
.user button:hover{background:#d6e2fb}
.meta{margin-top:1.5rem;font-size:.8rem;color:#7b8794;word-break:break-all}
</style>`

var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{{.}}</title>` + pageStyle + `</head><body><main>{{end}}
{{define "foot"}}</main></body></html>{{end}}

{{define "login"}}{{template "head" "Sign in – development provider"}}
<h1>Sign in</h1>
<p class="dev">Development provider – for development only, never for real accounts</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label for="username">Username</label>
<input type="text" id="username" name="username" value="{{.Username}}" autocomplete="username" autofocus required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password">
<button type="submit">Sign in</button>
</form>
{{if .Users}}<section class="users"><h2>Demo users</h2>
{{range .Users}}<form class="user" method="post" action="{{$.Action}}">
{{range $.Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}
<input type="hidden" name="username" value="{{.Username}}"><input type="hidden" name="password" value="{{.Password}}">
<span><strong>{{.Username}}</strong>{{if .Name}} – {{.Name}}{{end}}<br><small>password: {{.Password}}</small></span>
<button type="submit">Sign in as {{.Username}}</button></form>
{{end}}</section>{{end}}
<p class="meta">Signing in to <strong>{{.Client}}</strong></p>
{{template "foot"}}{{end}}

{{define "error"}}{{template "head" "Sign-in error – development provider"}}
<h1>Cannot sign in</h1>
<p class="dev">Development provider – for development only</p>
<p class="error" role="alert">{{.}}</p>
<p>Check the client_id and redirect_uri your site sends against the provider's configuration.</p>
{{template "foot"}}{{end}}

{{define "signedout"}}{{template "head" "Signed out – development provider"}}
<h1>Signed out</h1>
<p class="dev">Development provider – for development only</p>
<p>You are signed out. You can close this tab.</p>
{{template "foot"}}{{end}}
`))

type hiddenField struct{ Name, Value string }

type demoUser struct{ Username, Password, Name string }

type loginData struct {
	Hidden   []hiddenField
	Users    []demoUser
	Username string
	Error    string
	Client   string
	Action   string
}

// loginPage shows the sign-in form, carrying the authorization request in hidden fields.
func (p *Provider) loginPage(w http.ResponseWriter, status int, req authRequest, username, errMsg string) {
	d := loginData{Username: username, Error: errMsg, Client: req.client.ID, Action: req.action}
	keys := make([]string, 0, len(req.params))
	for k := range req.params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range req.params[k] {
			d.Hidden = append(d.Hidden, hiddenField{k, v})
		}
	}
	for _, u := range p.cfg.Users {
		name, _ := u.Claims["name"].(string)
		d.Users = append(d.Users, demoUser{u.Username, u.Password, name})
	}
	render(w, status, "login", d)
}

func (p *Provider) errorPage(w http.ResponseWriter, status int, msg string) {
	render(w, status, "error", msg)
}

func render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = pages.ExecuteTemplate(w, name, data)
}
