package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/rootuser"
	"github.com/rootward/rootward/internal/store"
)

// First-run claim: `rootward serve` on a new data directory creates the management account with a
// placeholder root email and no root password, and prints a one-time link. Whoever opens it first
// (within 24 hours) sets the root user's email and password; the link then stops working. Only the
// SHA-256 of the link's token is stored, so the database alone does not reveal it.
const (
	kindClaim = "console.claim" // global: hex(SHA-256(token)) → claim
	// ClaimLifetime is how long a first-run claim link works.
	ClaimLifetime = 24 * time.Hour
)

type claimRecord struct {
	Account string    `json:"account"`
	Expires time.Time `json:"expires"`
}

// CreateClaim stores a first-run claim for the account and returns its token; the link is
// <endpoint>/console/claim/<token>. Earlier claims of the account stop working: only the newest
// link printed claims the root user.
func CreateClaim(ctx context.Context, st store.Store, account string, now time.Time) (string, error) {
	tok := randomToken()
	err := st.Update(ctx, func(tx store.Tx) error {
		// Claims are few (one per unclaimed installation), so reading them all is cheap.
		all, err := claims.List(tx, "", "", "", 0)
		if err != nil {
			return err
		}
		for _, c := range all {
			if c.Record.Account == account {
				if err := claims.Delete(tx, "", c.Key); err != nil {
					return err
				}
			}
		}
		return claims.Insert(tx, "", tokenKey(tok), &claimRecord{Account: account, Expires: now.UTC().Add(ClaimLifetime)})
	})
	return tok, err
}

// ClaimPath is the console path of a claim token.
func ClaimPath(token string) string { return "/console/claim/" + token }

// lookupClaim returns the live claim of a token, or nil.
func (h *Handler) lookupClaim(ctx context.Context, tok string) (*claimRecord, error) {
	var c *claimRecord
	err := h.st.View(ctx, func(tx store.Tx) error {
		var err error
		c, _, err = claims.Get(tx, "", tokenKey(tok))
		return err
	})
	if err != nil || c == nil || !h.now().Before(c.Expires) {
		return nil, err
	}
	return c, nil
}

type claimData struct {
	Token       string
	Email       string
	AccountName string
	AccountID   string
	// Phone is the account's contact phone number (E.164), where lost-MFA recovery sends its
	// code: asked at the claim so that recovery is never a dead end.
	Phone string
}

// msgClaimGone names the commands with the server's command prefix (Config.CLI), so they work as
// printed; DIR is the server's data directory, which this page does not disclose.
func (h *Handler) msgClaimGone() string {
	return "This setup link has expired, has been replaced by a newer one, or has already been used. On the server, run: " +
		h.cfg.CLI + " root claim-link --data DIR (a new link), or " + h.cfg.CLI + " root set-password --data DIR."
}

func (h *Handler) claimPage(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	c, err := h.lookupClaim(r.Context(), tok)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if c == nil {
		h.render(w, r, http.StatusNotFound, "message", nil, view{Title: "Setup link not valid", Error: h.msgClaimGone()})
		return
	}
	acct, err := h.iam.GetAccount(r.Context(), c.Account)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "claim", nil, view{Title: "Claim this Rootward installation",
		Data: claimData{Token: tok, AccountName: acct.Name, AccountID: acct.ID}})
}

// claim sets the root user's email, password and contact phone number. Everything that can be checked is checked before
// the claim is consumed, so a rejected password does not burn the link; consuming it is one
// delete, so two people submitting at once cannot both succeed.
func (h *Handler) claim(w http.ResponseWriter, r *http.Request, _ *session) {
	tok := r.PathValue("token")
	ctx := r.Context()
	c, err := h.lookupClaim(ctx, tok)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if c == nil {
		h.render(w, r, http.StatusNotFound, "message", nil, view{Title: "Setup link not valid", Error: h.msgClaimGone()})
		return
	}
	acct, err := h.iam.GetAccount(ctx, c.Account)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	d := claimData{Token: tok, Email: strings.TrimSpace(r.PostFormValue("email")), AccountName: strings.TrimSpace(r.PostFormValue("account_name")),
		AccountID: acct.ID, Phone: rootuser.NormalizePhone(r.PostFormValue("phone"))}
	if d.AccountName == "" {
		d.AccountName = acct.Name
	}
	again := func(msg string) {
		h.render(w, r, http.StatusBadRequest, "claim", nil, view{Title: "Claim this Rootward installation", Error: msg, Data: d})
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("confirm_password") {
		again("The passwords do not match.")
		return
	}
	if len(d.Email) < 6 || len(d.Email) > 64 || !strings.Contains(d.Email, "@") {
		again("Enter the email address of the person or team who owns this installation (6 to 64 characters).")
		return
	}
	if len(d.AccountName) > 50 {
		again("The account name must be at most 50 characters long.")
		return
	}
	if d.Phone == "" {
		again("Enter a contact phone number in international format, such as +15555550100: lost-MFA recovery sends a code to it.")
		return
	}
	if err := rootuser.CheckPhone(d.Phone); err != nil {
		msg, _ := userMessage(err)
		again(msg)
		return
	}
	if err := password.CheckRoot(pw, d.AccountName, d.Email); err != nil {
		again(capitalize(err.Error()))
		return
	}
	err = h.st.Update(ctx, func(tx store.Tx) error { return claims.Delete(tx, "", tokenKey(tok)) })
	if errors.Is(err, store.ErrNotFound) {
		h.render(w, r, http.StatusNotFound, "message", nil, view{Title: "Setup link not valid", Error: h.msgClaimGone()})
		return
	}
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if err := h.applyClaim(ctx, acct.ID, acct.Name, d, pw, client(r)); err != nil {
		// Give the link back: nothing was claimed.
		if rerr := h.restoreClaim(ctx, tok, c); rerr != nil {
			h.log.Error("console: restoring a claim", "err", rerr)
		}
		if msg, ok := userMessage(err); ok {
			again(msg)
			return
		}
		h.internalError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "message", nil, view{Title: "Installation claimed",
		Notice: "The root user's email, password and contact phone number are set. Sign in as the root user; you will be asked to register an MFA device."})
}

// applyClaim sets the claim's fields and records the root user's new password. The email goes
// first: it is the one a store can still refuse (another account has it), and a refusal then
// leaves everything as it was; the others were checked before the claim was consumed. A record
// that cannot be stored fails the claim like any other error: the link is given back, and
// claiming again sets the same fields and records them.
func (h *Handler) applyClaim(ctx context.Context, account, oldName string, d claimData, pw string, c rootuser.Client) error {
	if err := h.iam.SetRootEmail(ctx, account, d.Email); err != nil {
		return err
	}
	if d.AccountName != oldName {
		if err := h.iam.SetAccountName(ctx, account, d.AccountName); err != nil {
			return err
		}
	}
	if err := h.iam.SetRootPassword(ctx, account, pw); err != nil {
		return err
	}
	if err := h.root.SetPhoneAtClaim(ctx, account, d.Phone); err != nil {
		return err
	}
	return h.root.RecordClaim(account, c)
}

func (h *Handler) restoreClaim(ctx context.Context, tok string, c *claimRecord) error {
	return h.st.Update(ctx, func(tx store.Tx) error { return claims.Put(tx, "", tokenKey(tok), c) })
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}
