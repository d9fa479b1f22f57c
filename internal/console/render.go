package console

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/mpa"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/rootuser"
)

// view is what every page template receives.
type view struct {
	Title string
	CSRF  string
	// Once is the page's one-time form token (once.go): forms that create or delete send it.
	Once string
	// Who is the signed-in principal's display name; "" before sign-in.
	Who     string
	Account string
	Root    bool
	// RootKeyBanner is set on every page while the account's root user has an access key or a
	// signing certificate (issue 4, item 5: "flagged on every console page until deleted").
	RootKeyBanner bool
	// OrgAdmin shows the organization page in the navigation: the principal belongs to a
	// management or IAM delegated administrator account.
	OrgAdmin bool
	Error    string
	// ApprovalLink is the requester's page of the approval session Error names (approvals.go).
	ApprovalLink string
	Notice       string
	// Outbox says where a message the page speaks of went when no transport is configured for
	// its channel (outboxNote).
	Outbox string
	Data   any
	// Recovery is the lost-MFA recovery in progress, shown to a signed-in root user on every page
	// with a Cancel button; nil when none.
	Recovery *rootuser.PendingRecovery
}

var funcs = template.FuncMap{
	// rootPasswordRules lists the rules password.CheckRoot applies, for the pages that set a root
	// password to show before the first attempt.
	"rootPasswordRules": func() []string { return password.RootRules },
	// period writes a duration as mpa.FormatPeriod does (24h, 1h30m).
	"period": mpa.FormatPeriod,
	// date writes every time the console shows in one form, ISO 8601 in UTC (2026-12-06T07:41:19Z),
	// the form the AWS APIs answer in; it takes times and the API's own timestamp strings.
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return "—"
			}
			return v.UTC().Format(isoUTC)
		case *time.Time:
			if v == nil || v.IsZero() {
				return "—"
			}
			return v.UTC().Format(isoUTC)
		case string:
			if p, err := time.Parse(time.RFC3339, v); err == nil {
				return p.UTC().Format(isoUTC)
			}
			return v
		}
		return fmt.Sprint(t)
	},
}

// isoUTC is the console's one date format (see the date function).
const isoUTC = "2006-01-02T15:04:05Z"

// parsePages parses each page template with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_parts.html", n)
		if err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// render writes a page. s is the session (nil before sign-in); it fills the header and the banner.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, s *session, v view) {
	if _, ok := h.pages[name]; !ok {
		h.internalError(w, r, fmt.Errorf("console: no template %q", name))
		return
	}
	v.CSRF = h.csrfToken(w, r, s)
	v.Once = randomToken()
	if v.Error != "" {
		v.ApprovalLink = h.approvalLink(v.Error)
	}
	if s != nil {
		v.Account, v.Root = s.Account, s.Root()
		v.Who = s.UserName
		if s.Root() {
			v.Who = "Root user"
		}
		v.RootKeyBanner = h.rootKeyPresent(r, s)
		if s.Root() {
			rec, err := h.root.PendingMFARecovery(r.Context(), s.Account)
			if err != nil {
				h.log.Warn("console: reading the MFA recovery in progress", "account", s.Account, "err", err)
			}
			v.Recovery = rec
		}
		v.OrgAdmin = h.orgAdmin(r, s)
	}
	h.writePage(w, r, status, name, v)
}

// writePage executes the page template name with v, whose CSRF token is set, and writes it; a
// page that fails to execute is an internal error, and nothing of it is written.
func (h *Handler) writePage(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := h.pages[name]
	if !ok {
		h.internalError(w, r, fmt.Errorf("console: no template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		h.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows a message page.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s, _ := h.session(r)
	h.render(w, r, status, "message", s, view{Title: http.StatusText(status), Error: msg})
}

// internalError logs err and shows a page that tells nothing of it: an internal error's text may
// describe the system to whoever caused it.
func (h *Handler) internalError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.Error("console: internal error", "path", r.URL.Path, "err", err)
	t := h.pages["message"]
	var buf bytes.Buffer
	if t == nil || t.Execute(&buf, view{Title: "Error", Error: "Something went wrong. Try again."}) != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(buf.Bytes())
}

// userMessage is what a page may show of an error: an AWS error's safe message, or nothing.
func userMessage(err error) (string, bool) {
	var e *awserr.Error
	if errors.As(err, &e) {
		return e.Message, true
	}
	return "", false
}
