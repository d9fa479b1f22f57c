package console

import (
	"net/http"
	"strings"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/identitystoreapi"
	"github.com/rootward/rootward/internal/api/ssoadminapi"
	"github.com/rootward/rootward/internal/authz"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/portal"
)

// The "Identity Center users" page of the account that holds an instance (the management
// account for the organization's): its users, and the two ways IAM Identity Center's console
// gives a user sign-in — "send an email with password setup instructions" (a link valid 7 days,
// through the notifier: the outbox without SMTP) and "generate a one-time password" (shown here
// once). The list is ssoadminapi.ListInstances and identitystoreapi.ListUsers invoked as the
// signed-in principal; each action is allowed only when identitystore:UpdateUser on the user is
// (AWS documents no API for them: they are its console's).

const icUsersPath = "/console/identity-center/users"

func (h *Handler) icUsersRoutes(m *http.ServeMux) {
	m.HandleFunc("GET "+icUsersPath, h.signedIn(h.icUsersView))
	m.HandleFunc("POST "+icUsersPath, h.postSignedIn(h.icUsersAction))
}

type icUsersData struct {
	Instances []icInstance
	// OneTimePassword is the password just generated, for UserName; shown once.
	OneTimePassword, UserName string
}

type icInstance struct {
	InstanceID, IdentityStoreID string
	Users                       []icUser
}

type icUser struct {
	UserID, UserName, DisplayName, Email string
}

func (h *Handler) icUsers(w http.ResponseWriter, r *http.Request, s *session, v view) {
	if h.cfg.Portal == nil {
		h.renderError(w, r, http.StatusNotFound, "IAM Identity Center's access portal is not configured.")
		return
	}
	var d icUsersData
	if prev, ok := v.Data.(icUsersData); ok {
		d = prev
	}
	ins, err := api.Invoke(h.run, r, s.principal(), ssoadminapi.ListInstances, &ssoadminapi.ListInstancesInput{})
	if err != nil {
		msg, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		v.Error = msg
	}
	if ins != nil {
		for _, in := range ins.Instances {
			id := in.InstanceArn[strings.LastIndex(in.InstanceArn, "/")+1:]
			item := icInstance{InstanceID: id, IdentityStoreID: in.IdentityStoreId}
			us, err := api.Invoke(h.run, r, s.principal(), identitystoreapi.ListUsers, &identitystoreapi.ListUsersInput{IdentityStoreId: in.IdentityStoreId})
			if err != nil {
				msg, ok := userMessage(err)
				if !ok {
					h.internalError(w, r, err)
					return
				}
				v.Error = msg
			} else {
				for _, u := range us.Users {
					iu := icUser{UserID: u.UserId, UserName: u.UserName, DisplayName: u.DisplayName}
					for _, e := range u.Emails {
						if iu.Email == "" || e.Primary {
							iu.Email = e.Value
						}
					}
					item.Users = append(item.Users, iu)
				}
			}
			d.Instances = append(d.Instances, item)
		}
	}
	v.Title, v.Data = "Identity Center users", d
	h.render(w, r, http.StatusOK, "icusers", s, v)
}

func (h *Handler) icUsersView(w http.ResponseWriter, r *http.Request, s *session) {
	h.icUsers(w, r, s, view{})
}

func (h *Handler) icUsersAction(w http.ResponseWriter, r *http.Request, s *session) {
	if h.cfg.Portal == nil {
		h.renderError(w, r, http.StatusNotFound, "IAM Identity Center's access portal is not configured.")
		return
	}
	instance, store, user := r.PostFormValue("instance"), r.PostFormValue("store"), r.PostFormValue("user")
	mode := map[string]string{"email": portal.PasswordModeEmail, "otp": portal.PasswordModeOTP}[r.PostFormValue("action")]
	fail := func(err error) {
		msg, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		h.icUsers(w, r, s, view{Error: msg})
	}
	// The identity store ID is checked to be the instance's by the portal (the user is looked
	// up in the instance), and the action is the administrator's to take on that user.
	if err := api.Allowed(h.run, r, s.principal(), identitystoreapi.UpdateUser, &identitystoreapi.UpdateUserInput{IdentityStoreId: store, UserId: user}); err != nil {
		if mode != "" {
			if rerr := h.icPasswordEvent(r, s, store, user, mode, err); rerr != nil {
				h.internalError(w, r, rerr)
				return
			}
		}
		fail(err)
		return
	}
	ins, err := h.cfg.Portal.Instances(r.Context())
	if err != nil {
		fail(err)
		return
	}
	ok := false
	for _, in := range ins {
		ok = ok || (in.InstanceID == instance && in.IdentityStoreID == store)
	}
	if !ok {
		h.icUsers(w, r, s, view{Error: "The instance and identity store do not match."})
		return
	}
	switch r.PostFormValue("action") {
	case "email":
		to, err := h.cfg.Portal.SendPasswordSetup(r.Context(), instance, user)
		if rerr := h.icPasswordEvent(r, s, store, user, mode, err); rerr != nil {
			h.internalError(w, r, rerr)
			return
		}
		if err != nil {
			fail(err)
			return
		}
		h.icUsers(w, r, s, view{Notice: "Password setup instructions sent to " + to + ". The link is valid for 7 days."})
	case "otp":
		pw, err := h.cfg.Portal.OneTimePassword(r.Context(), instance, user)
		if rerr := h.icPasswordEvent(r, s, store, user, mode, err); rerr != nil {
			h.internalError(w, r, rerr)
			return
		}
		if err != nil {
			fail(err)
			return
		}
		h.icUsers(w, r, s, view{Notice: "One-time password generated. Give it to the user: it is shown only now.",
			Data: icUsersData{OneTimePassword: pw, UserName: r.PostFormValue("username")}})
	default:
		h.icUsers(w, r, s, view{Error: "Choose an action."})
	}
}

// icPasswordEvent records the administrator's action on the user's password (portal.PasswordEvent)
// as the signed-in principal, err being its outcome; the action is not answered without its
// record.
func (h *Handler) icPasswordEvent(r *http.Request, s *session, store, user, mode string, err error) error {
	id, ierr := authz.IdentityOf(r.Context(), h.cfg.IAM, s.principal())
	if ierr != nil {
		return ierr
	}
	code, msg := "", ""
	if e, ok := awserr.As(err); ok {
		code, msg = string(e.Code), e.Message
	} else if err != nil {
		code = string(awserr.InternalFailure)
	}
	return h.cfg.Portal.PasswordEvent(api.UserIdentity(id), portalCall(r), store, user, mode, code, msg)
}
