package console

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/api"
	"github.com/rootward/rootward/internal/api/mpaapi"
	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/mpa"
)

// The break-glass settings page (issue 16 item 4: the cooling-off period is "configurable only
// through an approved change"). The root user or an IAM administrator of the account sees the
// emergency sign-in's wait and where it comes from, proposes another (mpa.ChangeCoolingOff opens
// an approval session of the team protecting RootSignIn and refuses), follows the session, and
// applies the change once it is approved by proposing the same value again; it then takes effect
// once. Seeing the page needs mpa:ListApprovalTeams, as the custody report does; proposing needs
// mpa:UpdateBreakGlassCoolingOff (an action of Rootward's own, which IAM policies grant like any
// other: an administrator's "*" does).

const coolingOffPath = "/console/approvals/breakglass"

// maxReason bounds the reason the approvers are shown (the form's maxlength).
const maxReason = 500

func (h *Handler) coolingOffRoutes(m *http.ServeMux) {
	m.HandleFunc("GET "+coolingOffPath, h.signedIn(h.coolingOffPage))
	m.HandleFunc("POST "+coolingOffPath, h.postSignedIn(h.coolingOffPropose))
}

// coolingOffView is what the page gets in view.Data.
type coolingOffView struct {
	Setting *mpa.CoolingOffSetting
	// Min and Max bound a period; Proposed is the form's value.
	Min, Max, Proposed string
	// Own is the signed-in principal's proposal (only its requester can apply it), Others the
	// other principals'.
	Own    *proposalView
	Others []proposalView
}

// proposalView is a proposal with the requester's page of its session ("" when it is gone).
type proposalView struct {
	*mpa.CoolingOffProposal
	SessionLink string
}

func (h *Handler) coolingOffPage(w http.ResponseWriter, r *http.Request, s *session) {
	h.renderCoolingOff(w, r, s, http.StatusOK, "", "", "")
}

// renderCoolingOff shows the page after checking that the principal may see it.
func (h *Handler) renderCoolingOff(w http.ResponseWriter, r *http.Request, s *session, status int, notice, msg, proposed string) {
	const title = "Break-glass cooling-off period"
	if h.cfg.MPA == nil {
		h.render(w, r, http.StatusNotFound, "message", s, view{Title: title, Error: "Multi-party approval is not configured."})
		return
	}
	if err := api.Allowed(h.run, r, s.principal(), mpaapi.ListApprovalTeams, &mpaapi.ListInput{}); err != nil {
		h.coolingOffRefused(w, r, s, err)
		return
	}
	c, err := h.cfg.MPA.CoolingOffSettingOf(r.Context(), s.Account)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	d := coolingOffView{Setting: c, Min: mpa.FormatPeriod(mpa.MinCoolingOff), Max: mpa.FormatPeriod(mpa.MaxCoolingOff), Proposed: proposed}
	for _, p := range c.Proposals {
		v := proposalView{CoolingOffProposal: p}
		if p.Session != nil {
			v.SessionLink = h.approvalLink(p.Session.ARN)
		}
		if p.Requester != s.ARN {
			d.Others = append(d.Others, v)
			continue
		}
		d.Own = &v
		if d.Proposed == "" {
			d.Proposed = mpa.FormatPeriod(p.Period)
		}
	}
	h.render(w, r, status, "breakglass_settings", s, view{Title: title, Notice: notice, Error: msg, Data: d})
}

func (h *Handler) coolingOffRefused(w http.ResponseWriter, r *http.Request, s *session, err error) {
	m, ok := userMessage(err)
	if !ok {
		h.internalError(w, r, err)
		return
	}
	h.render(w, r, http.StatusForbidden, "message", s, view{Title: "Break-glass cooling-off period", Error: m})
}

// coolingOffPropose asks for the form's period: the first time it opens a session and the page
// shows it; once the session is approved the same value takes effect.
func (h *Handler) coolingOffPropose(w http.ResponseWriter, r *http.Request, s *session) {
	if h.cfg.MPA == nil {
		h.renderCoolingOff(w, r, s, http.StatusNotFound, "", "", "")
		return
	}
	if _, err := h.authorizeAction(r, s, "mpa:"+mpa.CoolingOffOperation, "*"); err != nil {
		h.coolingOffRefused(w, r, s, err)
		return
	}
	value := strings.TrimSpace(r.PostFormValue("period"))
	d, err := time.ParseDuration(value)
	if err != nil {
		h.renderCoolingOff(w, r, s, http.StatusBadRequest, "", "A cooling-off period is a duration such as 24h, 36h or 90m; "+quoteValue(value)+" is not.", value)
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if len(reason) > maxReason {
		h.renderCoolingOff(w, r, s, http.StatusBadRequest, "", fmt.Sprintf("A reason has at most %d characters.", maxReason), value)
		return
	}
	requester := mpa.Requester{Account: s.Account, ARN: s.ARN, Region: h.run.NewCall(r).Region, Comment: reason}
	c, err := h.cfg.MPA.ChangeCoolingOff(r.Context(), s.Account, d, requester)
	if err != nil {
		m, ok := userMessage(err)
		if !ok {
			h.internalError(w, r, err)
			return
		}
		status := http.StatusBadRequest
		if e, _ := awserr.As(err); e != nil {
			switch e.Code {
			case awserr.MPAAccessDenied:
				status = http.StatusForbidden
			case awserr.MPAConflict:
				status = http.StatusConflict
			}
		}
		if c != nil {
			// Waiting for approval: the page shows the session the refusal names.
			m = "The change waits for the approval team: " + m
		}
		h.renderCoolingOff(w, r, s, status, "", m, value)
		return
	}
	h.renderCoolingOff(w, r, s, http.StatusOK, "The cooling-off period is now "+mpa.FormatPeriod(c.Period)+" (it was "+mpa.FormatPeriod(c.Previous)+").", "", "")
}

// quoteValue quotes a form value for a message, cut to a length a page can show.
func quoteValue(v string) string {
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return `"` + v + `"`
}
