package microsoft

import (
	"html/template"
	"net/http"
	"sync"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// consentPage is the data of the consent page template.
type consentPage struct {
	ConsentID string
	ClientID  string
	Account   string
	Scopes    []requestedScope
}

// adminPage is the data of the "Need admin approval" page.
type adminPage struct {
	ClientID  string
	Account   string
	Scopes    []requestedScope
	ReturnURL string
}

// The consent form posts back to the page's own URL (action=""), so it works wherever the
// sandbox is mounted. Each permission has its own checkbox, ticked by default.
var consentTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Permissions requested - Microsoft (sandbox)</title></head>
<body>
<h1>Permissions requested</h1>
<p><strong>{{.ClientID}}</strong> wants to access your account <strong>{{.Account}}</strong>
(sandbox account).</p>
<form method="post" action="">
<input type="hidden" name="consent" value="{{.ConsentID}}">
<p>This app would like to:</p>
<ul>
{{- range .Scopes}}
<li><label><input type="checkbox" name="scope" value="{{.Raw}}" checked> {{.Description}}</label>
<br><small>{{.Name}}</small></li>
{{- end}}
</ul>
<button type="submit" name="decision" value="approve">Accept</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>
<p><small>This is scopegate's Microsoft sandbox, not Microsoft.</small></p>
</body>
</html>
`))
})

var adminTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("admin").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Need admin approval - Microsoft (sandbox)</title></head>
<body>
<main id="need-admin-approval">
<h1>Need admin approval</h1>
<p><strong>{{.ClientID}}</strong> needs permission to access resources in your organization
that only an admin can grant. Ask an admin to grant permission to this app before you can use
it. Signed in as <strong>{{.Account}}</strong> (sandbox account).</p>
<ul>
{{- range .Scopes}}
<li>{{.Description}} <small>{{.Name}}</small></li>
{{- end}}
</ul>
<p><a id="return" href="{{.ReturnURL}}">Return to the application without granting consent</a></p>
</main>
<p><small>This is scopegate's Microsoft sandbox, not Microsoft.</small></p>
</body>
</html>
`))
})

var errorTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in to your account - Microsoft (sandbox)</title></head>
<body>
<h1>Sorry, but we're having trouble signing you in.</h1>
<p>AADSTS{{.Code}}: {{.Desc}}</p>
<p><small>This is scopegate's Microsoft sandbox, not Microsoft.</small></p>
</body>
</html>
`))
})

func writeConsentPage(w http.ResponseWriter, p consentPage) {
	oauthsim.WritePage(w, consentTemplate(), p)
}

func writeAdminPage(w http.ResponseWriter, p adminPage) {
	oauthsim.WritePage(w, adminTemplate(), p)
}

// writeErrorPage renders the sign-in error page Microsoft shows when it cannot trust the
// client or the redirect URI: "AADSTS50011: The redirect URI ...".
func writeErrorPage(w http.ResponseWriter, e *authError) {
	oauthsim.WriteErrorPage(w, e.status, errorTemplate(), struct {
		Code int
		Desc string
	}{e.code, e.desc})
}
