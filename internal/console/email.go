package console

import (
	"github.com/rootward/rootward/internal/awsproto"
	"net/http"

	"github.com/rootward/rootward/internal/awserr"
)

// The root email change's verification link (rootuser.RequestRootEmailChange mails it to the new
// address). Opening it shows what will change; only the confirmation, a POST with the form token,
// changes anything, so a mail scanner that fetches links cannot confirm for the owner.

type verifyEmailData struct {
	Token   string
	Account string
	Email   string
}

func (h *Handler) verifyEmailPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	ch, err := h.root.CheckRootEmailChange(r.Context(), tok)
	if err != nil {
		h.emailChangeError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "verify_email", nil, view{Title: "Confirm the new root email",
		Data: verifyEmailData{Token: tok, Account: ch.Account, Email: ch.Email}})
}

func (h *Handler) verifyEmail(w http.ResponseWriter, r *http.Request, _ *session) {
	ch, err := h.root.ConfirmRootEmailChange(r.Context(), r.PostFormValue("token"), client(r))
	if err != nil {
		h.emailChangeError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "message", nil, view{Title: "Root email changed",
		Notice: "The root user of account " + ch.Account + " now signs in and recovers with " + ch.Email + ". Both addresses were told."})
}

func (h *Handler) emailChangeError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := awserr.As(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	h.render(w, r, awsproto.Status(e), "message", nil, view{Title: "Confirm the new root email", Error: e.Message})
}
