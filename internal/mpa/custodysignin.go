package mpa

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/iam"
	"github.com/rootward/rootward/internal/password"
	"github.com/rootward/rootward/internal/shamir"
	"github.com/rootward/rootward/internal/store"
	"github.com/rootward/rootward/internal/trail"
)

// A split-custody root sign-in (issue 16 item 3). Nobody knows the root password, and no single
// person may both bring it and answer the root user's MFA:
//
//  1. A browser starts an attempt at the console's root sign-in (StartCustodySignIn) and gets a
//     short code, which its user gives the custodians and the MFA group, and a secret it keeps.
//  2. k custodians, each signed in to the access portal as themselves (an Identity Center user,
//     with MFA), enter the code and their share (EnterShare). Each share is checked against its
//     custodian's hash and kept sealed, in a row of its own, only until the k-th arrives; then
//     Rootward recombines the password, checks it against the stored hash and deletes every
//     share of the attempt, whatever the outcome. The password is never shown or stored.
//  3. A member of the MFA group — Identity Center users named by SetRootMFAGroup, none of them a
//     custodian — enters the code and a code of the root user's MFA device from their own session
//     (ConfirmCustodyMFA). This is how the root MFA device is bound to the group: the device is
//     the root user's, registered as any root device; the code of a custody sign-in is accepted
//     only from a signed-in member of the group, never from the browser that started it.
//  4. The starting browser redeems the attempt (RedeemCustodySignIn, through internal/signin),
//     which then asks for approval when a team protects the root sign-in.
//
// An attempt lives CustodyAttemptLifetime; three wrong shares or MFA codes end it, and the
// guesses are also limited across attempts (custodylimits.go). The start tells the browser nothing
// of the account: every email gets a code, and one whose account's password is not split gets a
// void attempt that can never complete.

// CustodyAttemptLifetime is how long a custody sign-in attempt waits for its shares and MFA:
// Rootward's choice, long enough for custodians to be reached by phone.
const CustodyAttemptLifetime = 30 * time.Minute

// custodyAttemptFailures ends an attempt after this many wrong shares or MFA codes.
const custodyAttemptFailures = 3

// Person is an Identity Center user signed in to the access portal: the instance and user ID.
type Person struct {
	InstanceARN string
	UserID      string
}

type attemptRecord struct {
	Account   string    `json:"account"`
	TokenHash string    `json:"token_hash"`
	K         int       `json:"k"`
	Started   time.Time `json:"started"`
	Expires   time.Time `json:"expires"`
	// Entered are the custodians (IDs) whose shares are in; their shares are custodyEntries rows
	// until the k-th arrives.
	Entered   []string `json:"entered,omitempty"`
	Combining bool     `json:"combining,omitempty"`
	Verified  bool     `json:"verified,omitempty"`
	Failed    string   `json:"failed,omitempty"`
	// Void is an attempt for an email that is no account's, or whose root password is not split:
	// it answers like any and can never complete. Email is the email as typed (lower case): a
	// redeemed attempt clears its start counter.
	Void     bool   `json:"void,omitempty"`
	Email    string `json:"email,omitempty"`
	Failures int    `json:"failures,omitempty"`
	// MFABy is the MFA group member who answered the MFA step, MFASerial the device.
	MFABy     string `json:"mfa_by,omitempty"`
	MFASerial string `json:"mfa_serial,omitempty"`
}

// attempts are kept in account "" under the SHA-256 of their code; custodyEntries in the
// attempt's account under CODEHASH/CUSTODIAN-ID, one sealed share each.
var (
	attempts       = store.Define(store.Kind[attemptRecord]{Name: "mpa.custodysignin", Version: 1})
	custodyEntries = store.Define(store.Kind[shareRecord]{Name: "mpa.custodyentry", Version: 1})
)

// codeAlphabet has no 0/O or 1/I: a code is read out over the phone.
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newCode is 8 characters of codeAlphabet (40 bits), shown as XXXX-XXXX.
func newCode() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, 0, 9)
	for i, x := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[int(x)%len(codeAlphabet)])
	}
	return string(out)
}

// codeKey is the store key of a code as typed (case, dashes and spaces ignored).
func codeKey(code string) string {
	c := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	h := sha256.Sum256([]byte("mpa.custodysignin:" + c))
	return hex.EncodeToString(h[:])
}

// CustodySignIn is a custody sign-in attempt as its starting browser sees it. Token is the
// browser's secret (shown once, at the start).
type CustodySignIn struct {
	Code     string
	Token    string
	Account  string
	K        int
	Entered  int
	Verified bool
	MFADone  bool
	Failed   string
	Expires  time.Time
}

var errNoAttempt = AccessDenied("No root sign-in attempt has this code, or it has ended.")

// StartCustodySignIn starts a custody sign-in of the root user whose email is email, from the
// source address sourceIP. Every email gets the same answer after the same work — one account
// lookup, one read of a split, one attempt stored, and one record for an email that names an
// account (split or not) — so the answer tells an
// anonymous visitor nothing of the account: an email that is no account's, or whose account's
// root password is not split, gets a void attempt, which waits like any and can never complete
// (no custodian can enter a share in it). Throttling when the email or the address started too
// many (custodylimits.go); AccessDeniedException when split custody is not configured at all.
func (s *Service) StartCustodySignIn(ctx context.Context, email, sourceIP string) (*CustodySignIn, error) {
	if s.cfg.IAM == nil {
		return nil, AccessDenied("Password shares cannot be used to sign in.")
	}
	key := strings.ToLower(strings.TrimSpace(email))
	if _, err := s.counters().Reserve(ctx, s.startScopes(key, sourceIP)...); err != nil {
		return nil, throttled(err, "Too many sign-ins with password shares were started for this email or from this address.")
	}
	account := ""
	a, err := s.cfg.IAM.AccountByRootEmail(ctx, key)
	if err == nil {
		account = a.ID
	} else if !awserr.IsCode(err, awserr.NoSuchEntity) {
		return nil, err
	}
	var k int
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		// Read for an unknown email too (account "" holds no split), so that it costs the same.
		r, ok, err := custody.Get(tx, account, custodyKey)
		if ok && account != "" {
			k = r.K
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now().UTC()
	code := newCode()
	secret := newSecret()
	rec := &attemptRecord{Account: account, Email: key, TokenHash: claimHash(secret), K: k, Void: k == 0, Started: now, Expires: now.Add(CustodyAttemptLifetime)}
	if rec.Void {
		rec.Account = ""
	}
	if err := s.cfg.Store.Update(ctx, func(tx store.Tx) error { return attempts.Insert(tx, "", codeKey(code), rec) }); err != nil {
		return nil, err
	}
	// Recorded in the account the email names, split or not (its owner sees the try). An unknown
	// email's start is not recorded — a record belongs to an account that exists, and an
	// anonymous visitor's typos are no one's — which is the one piece of work it is spared, as
	// at the password sign-in (internal/signin BeginRootSignIn).
	if account != "" {
		s.custodyStep(ctx, account, nil, "RootCustodySignInStarted", map[string]any{"expirationTime": rec.Expires.Format(time.RFC3339), "k": rec.K})
	}
	return &CustodySignIn{Code: code, Token: code + "." + secret, Expires: rec.Expires}, nil
}

// byToken reads the attempt of a browser's token; errNoAttempt when the token is wrong.
func (s *Service) byToken(tx store.Tx, token string) (string, *attemptRecord, error) {
	code, secret, _ := strings.Cut(token, ".")
	key := codeKey(code)
	r, ok, err := attempts.Get(tx, "", key)
	if err != nil {
		return "", nil, err
	}
	if !ok || secret == "" || subtle.ConstantTimeCompare([]byte(r.TokenHash), []byte(claimHash(secret))) != 1 {
		return "", nil, errNoAttempt
	}
	return key, r, nil
}

// CustodySignInState returns the attempt of a browser's token. AccessDeniedException for a wrong
// token.
func (s *Service) CustodySignInState(ctx context.Context, token string) (*CustodySignIn, error) {
	var out *CustodySignIn
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		_, r, err := s.byToken(tx, token)
		if err != nil {
			return err
		}
		out = &CustodySignIn{Account: r.Account, Entered: len(r.Entered), Verified: r.Verified, MFADone: r.MFASerial != "",
			Failed: r.Failed, Expires: r.Expires}
		if len(r.Entered) > 0 {
			// Only once a custodian entered a share does the browser learn k: a void attempt
			// and a real one look alike until then.
			out.K = r.K
		}
		if r.Failed == "" && !s.cfg.Now().Before(r.Expires) {
			out.Failed = "The attempt expired."
		}
		return nil
	})
	return out, err
}

// RedeemCustodySignIn implements signin.Approvals: the attempt is spent (deleted) once its
// password was verified and its MFA answered; AccessDeniedException otherwise, saying what is
// missing.
func (s *Service) RedeemCustodySignIn(ctx context.Context, token string) (account, serial string, err error) {
	var email string
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		key, r, err := s.byToken(tx, token)
		if err != nil {
			return err
		}
		switch {
		case r.Failed != "":
			return AccessDenied("The sign-in attempt failed: %s", r.Failed)
		case !s.cfg.Now().Before(r.Expires):
			return AccessDenied("The sign-in attempt expired.")
		case len(r.Entered) == 0 && !r.Verified:
			return AccessDenied("No custodian has entered a share in the sign-in attempt yet.")
		case !r.Verified:
			return AccessDenied("The sign-in attempt has %d of the %d shares it needs.", len(r.Entered), r.K)
		case r.MFASerial == "":
			return AccessDenied("A member of the root MFA group has not answered the MFA step yet.")
		}
		account, serial, email = r.Account, r.MFASerial, r.Email
		return attempts.Delete(tx, "", key)
	})
	if err != nil {
		return "", "", err
	}
	s.custodyStep(ctx, account, nil, "RootCustodySignInRedeemed", nil)
	if email != "" {
		if err := s.counters().Clear(ctx, s.counters().Limits().Identity(custodyStartKind, email)); err != nil {
			return "", "", err
		}
	}
	return account, serial, nil
}

// activeAttempt reads the attempt of code for a custodian or MFA group member; errNoAttempt when
// there is none, or it has ended.
func (s *Service) activeAttempt(tx store.Tx, code string) (string, *attemptRecord, error) {
	key := codeKey(code)
	r, ok, err := attempts.Get(tx, "", key)
	if err != nil {
		return "", nil, err
	}
	if !ok || r.Void || r.Failed != "" || !s.cfg.Now().Before(r.Expires) {
		return "", nil, errNoAttempt
	}
	return key, r, nil
}

// is reports whether person who is the identity source's user (sourceARN, userID) of account.
func (s *Service) is(tx store.Tx, account, sourceARN, userID string, who Person) bool {
	if userID != who.UserID {
		return false
	}
	inst, err := s.sourceInstance(tx, account, sourceARN)
	return err == nil && inst == who.InstanceARN
}

// EnterShare adds who's share to the attempt of code. who must be a custodian of the attempt's
// account, and share theirs; the k-th share recombines the password (see the top of this file).
// AccessDeniedException for an unknown code, a non-custodian or an account without a root MFA
// group, ConflictException for a second entry, ValidationException for a share that is not who's
// (three end the attempt), Throttling when who or the account entered too many wrong shares
// across attempts (custodylimits.go).
func (s *Service) EnterShare(ctx context.Context, code string, who Person, share string) (*CustodySignIn, error) {
	if s.cfg.Sealer == nil {
		return nil, AccessDenied("Password shares cannot be used to sign in.")
	}
	part, perr := decodeShare(share)
	defer clear(part)
	// Who is guessing, read first: the guess is counted before the share is checked.
	var account, custodian string
	err := s.codeLookup(ctx, who, func() (err error) {
		account, custodian, err = s.custodianIn(ctx, code, who)
		return err
	})
	if err != nil {
		return nil, err
	}
	scopes := s.shareScopes(account, custodian)
	res, err := s.counters().Reserve(ctx, scopes...)
	if err != nil {
		return nil, s.guessRefused(account, &who, "Share", err)
	}
	var key string
	var rec attemptRecord
	var wrong error
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		wrong = nil
		k, r, c, err := s.custodianOf(tx, code, who)
		if err != nil {
			return err
		}
		if c.ID != custodian {
			return errNoAttempt // the split changed since
		}
		if perr != nil || c.ShareHash == "" || subtle.ConstantTimeCompare([]byte(shareHash(part)), []byte(c.ShareHash)) != 1 {
			r.Failures++
			wrong = validation("This is not your share of the root password of account %s.", r.Account)
			if r.Failures >= custodyAttemptFailures {
				r.Failed = "Too many wrong shares were entered."
				if err := s.dropEntries(tx, r.Account, k, r.Entered); err != nil {
					return err
				}
			}
			key, rec = k, *r
			return attempts.Put(tx, "", k, r)
		}
		sealed := s.cfg.Sealer.Seal(part, entryAD(r.Account, k, c.ID))
		if err := custodyEntries.Insert(tx, r.Account, k+"/"+c.ID, &shareRecord{Sealed: sealed}); err != nil {
			return err
		}
		r.Entered = append(r.Entered, c.ID)
		r.Combining = len(r.Entered) >= r.K
		key, rec = k, *r
		return attempts.Put(tx, "", k, r)
	})
	if gerr := s.guessed(ctx, scopes, err == nil && wrong == nil, err == nil); gerr != nil && err == nil {
		err = gerr
	}
	if err != nil {
		return nil, err
	}
	if wrong != nil {
		s.custodyEvent(rec.Account, &who, "RootPasswordShareEntered", map[string]any{"custodianId": custodian, "result": "Failure", "sharesEntered": len(rec.Entered), "k": rec.K})
		s.guessLocked(ctx, rec.Account, &who, "Share", res, scopes)
		return nil, wrong
	}
	s.custodyStep(ctx, rec.Account, &who, "RootPasswordShareEntered", map[string]any{"custodianId": custodian, "result": "Success", "sharesEntered": len(rec.Entered), "k": rec.K})
	if rec.Combining {
		if err := s.combine(ctx, key, &rec); err != nil {
			return nil, err
		}
	}
	return &CustodySignIn{Account: rec.Account, K: rec.K, Entered: len(rec.Entered), Verified: rec.Verified, Failed: rec.Failed, Expires: rec.Expires}, nil
}

// custodianIn returns the account of the attempt of code and who's custodian ID there, with
// custodianOf's refusals.
func (s *Service) custodianIn(ctx context.Context, code string, who Person) (account, custodian string, err error) {
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		_, r, c, err := s.custodianOf(tx, code, who)
		if err == nil {
			account, custodian = r.Account, c.ID
		}
		return err
	})
	return account, custodian, err
}

// custodianOf reads the attempt of code, open for shares, and who's custodian record in its
// account. errNoAttempt when there is no such attempt; AccessDeniedException for a non-custodian
// or an account without a root MFA group; ConflictException once who's share or all shares are in.
func (s *Service) custodianOf(tx store.Tx, code string, who Person) (string, *attemptRecord, *custodianRecord, error) {
	k, r, err := s.activeAttempt(tx, code)
	if err != nil {
		return "", nil, nil, err
	}
	if r.Verified || r.Combining {
		return "", nil, nil, conflict("The attempt has all its shares.")
	}
	cr, ok, err := custody.Get(tx, r.Account, custodyKey)
	if err != nil {
		return "", nil, nil, err
	}
	if !ok {
		return "", nil, nil, errNoAttempt // the split was removed since
	}
	var c *custodianRecord
	for i := range cr.Custodians {
		if s.is(tx, r.Account, cr.Custodians[i].SourceARN, cr.Custodians[i].UserID, who) {
			c = &cr.Custodians[i]
		}
	}
	switch {
	case c == nil:
		return "", nil, nil, AccessDenied("You hold no share of the root password of account %s.", r.Account)
	case len(cr.MFAGroup) == 0:
		// Told to a custodian, not to the browser that started the attempt: that one learns
		// nothing of the account.
		return "", nil, nil, AccessDenied("Account %s has no root MFA group: a custody sign-in cannot answer the MFA step.", r.Account)
	case contains(r.Entered, c.ID):
		return "", nil, nil, conflict("You already entered your share in this sign-in attempt.")
	}
	return k, r, c, nil
}

func entryAD(account, key, custodian string) string {
	return "mpa.custodyentry:" + account + ":" + key + ":" + custodian
}

func decodeShare(share string) ([]byte, error) {
	h, ok := strings.CutPrefix(strings.TrimSpace(share), sharePrefix)
	b, err := hex.DecodeString(h)
	if !ok || err != nil || len(b) < 2 {
		return nil, validation("A share is not in the form Rootward showed it.")
	}
	return b, nil
}

// dropEntries deletes the shares entered in an attempt.
func (s *Service) dropEntries(tx store.Tx, account, key string, entered []string) error {
	for _, id := range entered {
		if err := custodyEntries.DeleteIfExists(tx, account, key+"/"+id); err != nil {
			return err
		}
	}
	return nil
}

// combine recombines the password from an attempt's shares, checks it against the root password's
// hash and deletes the shares; the attempt is verified or failed. Only the entry that completed
// the k shares calls it (Combining was set in its transaction).
func (s *Service) combine(ctx context.Context, key string, rec *attemptRecord) error {
	var parts [][]byte
	defer func() {
		for _, p := range parts {
			clear(p)
		}
	}()
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		for _, id := range rec.Entered {
			e, ok, err := custodyEntries.Get(tx, rec.Account, key+"/"+id)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			p, err := s.cfg.Sealer.Open(e.Sealed, entryAD(rec.Account, key, id))
			if err != nil {
				return err
			}
			parts = append(parts, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	verified := false
	if pw, cerr := shamir.Combine(parts); cerr == nil {
		a, err := s.cfg.IAM.GetAccount(ctx, rec.Account)
		if err != nil {
			clear(pw)
			return err
		}
		verified, _ = password.Verify(string(pw), a.RootPasswordHash)
		clear(pw)
	}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, ok, err := attempts.Get(tx, "", key)
		if err != nil || !ok {
			return err
		}
		if err := s.dropEntries(tx, r.Account, key, r.Entered); err != nil {
			return err
		}
		r.Combining, r.Verified = false, verified
		if !verified {
			r.Failed = "The shares did not recombine the root password."
		}
		*rec = *r
		return attempts.Put(tx, "", key, r)
	})
	if err != nil {
		return err
	}
	result := "Success"
	if !verified {
		result = "Failure"
	}
	s.custodyStep(ctx, rec.Account, nil, "RootPasswordRecombined", map[string]any{"result": result, "custodianIds": rec.Entered})
	return nil
}

// ConfirmCustodyMFA answers the MFA step of the attempt of code with a TOTP code of one of the
// root user's virtual or hardware MFA devices; who must be in the account's root MFA group and
// the attempt's password verified. AccessDeniedException for an unknown code or a non-member,
// ConflictException before the password is verified or after the MFA was answered,
// ValidationException for a wrong code (three end the attempt).
func (s *Service) ConfirmCustodyMFA(ctx context.Context, code string, who Person, totp string) error {
	var key string
	var rec *attemptRecord
	var member bool
	err := s.codeLookup(ctx, who, func() error {
		return s.cfg.Store.View(ctx, func(tx store.Tx) error {
			k, r, err := s.activeAttempt(tx, code)
			if err != nil {
				return err
			}
			cr, ok, err := custody.Get(tx, r.Account, custodyKey)
			if err != nil {
				return err
			}
			if !ok {
				return errNoAttempt
			}
			for _, m := range cr.MFAGroup {
				member = member || s.is(tx, r.Account, m.SourceARN, m.UserID, who)
			}
			key, rec = k, r
			return nil
		})
	})
	switch {
	case err != nil:
		return err
	case !member:
		return AccessDenied("You are not in the root MFA group of account %s.", rec.Account)
	case !rec.Verified:
		return conflict("The attempt's password shares are not all in yet (%d of %d).", len(rec.Entered), rec.K)
	case rec.MFASerial != "":
		return conflict("The attempt's MFA step was answered already.")
	}
	scopes := s.mfaScopes(rec.Account, who.UserID)
	res, err := s.counters().Reserve(ctx, scopes...)
	if err != nil {
		return s.guessRefused(rec.Account, &who, "MFA", err)
	}
	serial, verr := s.rootCode(ctx, rec.Account, totp)
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, ok, err := attempts.Get(tx, "", key)
		if err != nil {
			return err
		}
		if !ok || r.Failed != "" || r.MFASerial != "" {
			return errNoAttempt
		}
		if verr != nil {
			if r.Failures++; r.Failures >= custodyAttemptFailures {
				r.Failed = "Too many wrong MFA codes were entered."
			}
		} else {
			r.MFABy, r.MFASerial = who.UserID, serial
		}
		return attempts.Put(tx, "", key, r)
	})
	// A code is a guess unless it could not be checked (a failure to read the devices, the attempt
	// ended meanwhile).
	_, refused := awserr.As(verr)
	counted := err == nil && (verr == nil || refused)
	if gerr := s.guessed(ctx, scopes, err == nil && verr == nil, counted); gerr != nil && err == nil {
		err = gerr
	}
	if err != nil {
		return err
	}
	result := "Success"
	if verr != nil {
		result = "Failure"
	}
	s.custodyStep(ctx, rec.Account, &who, "RootCustodyMFAAnswered", map[string]any{"result": result, "serialNumber": serial})
	if verr != nil {
		s.guessLocked(ctx, rec.Account, &who, "MFA", res, scopes)
		if _, ok := awserr.As(verr); ok {
			return validation("The code is not valid for the root user's MFA device. Wait for the next code and try again.")
		}
		return verr
	}
	return nil
}

// rootCode checks a TOTP code against the root user's code devices; the serial it was of.
func (s *Service) rootCode(ctx context.Context, account, code string) (string, error) {
	p, err := s.cfg.IAM.ListMFADevices(ctx, account, "", iam.ListOpts{MaxItems: 100})
	if err != nil {
		return "", err
	}
	verr := error(AccessDenied("The root user has no MFA device that takes a code."))
	for _, d := range p.Items {
		if iam.MFADeviceType(account, d.SerialNumber) == iam.MFAWebAuthn {
			continue
		}
		if verr = s.cfg.IAM.VerifyMFACode(ctx, account, "", d.SerialNumber, code, s.cfg.Now()); verr == nil {
			return d.SerialNumber, nil
		}
	}
	return "", verr
}

// SetRootMFAGroup names the Identity Center users (of account's identity sources) who answer the
// root user's MFA step of a custody sign-in. None may be a custodian. ResourceNotFoundException
// when the root password is not split or a user is unknown; ValidationException for an empty
// list, more than 10, or a custodian.
func (s *Service) SetRootMFAGroup(ctx context.Context, account string, members []Identity) error {
	if len(members) == 0 || len(members) > 10 {
		return validation("A root MFA group has 1 to 10 members.")
	}
	if err := s.resolveApprovers(ctx, account, members); err != nil {
		return err
	}
	return s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, ok, err := custody.Get(tx, account, custodyKey)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("The root password of account %s is not split.", account)
		}
		r.MFAGroup = r.MFAGroup[:0]
		for _, m := range members {
			for _, c := range r.Custodians {
				if c.SourceARN == m.SourceARN && c.UserID == m.UserID {
					return validation("%s holds a share of the root password: a custodian cannot be in the root MFA group too.", m.UserID)
				}
			}
			r.MFAGroup = append(r.MFAGroup, memberRecord(m))
		}
		return custody.Put(tx, account, custodyKey, r)
	})
}

func inGroup(group []memberRecord, who Identity) bool {
	for _, m := range group {
		if m.SourceARN == who.SourceARN && m.UserID == who.UserID {
			return true
		}
	}
	return false
}

// custodyEvent records a step of a custody sign-in (mpa.amazonaws.com, AwsServiceEvent; the names
// are Rootward's, as AWS has no such flow); who, when set, is the Identity Center user acting.
func (s *Service) custodyEvent(account string, who *Person, name string, data map[string]any) {
	if s.cfg.Trail == nil {
		return
	}
	ident := trail.UserIdentity{Type: "AWSService", InvokedBy: EventSource}
	if who != nil {
		ident = trail.UserIdentity{Type: "IdentityCenterUser", PrincipalID: who.UserID}
		data = withInstance(data, who.InstanceARN)
	}
	err := s.cfg.Trail.Record(&trail.Event{
		EventTime: s.cfg.Now().UTC(), UserIdentity: ident, EventSource: EventSource, EventName: name,
		AWSRegion: s.cfg.Region, EventType: trail.AwsServiceEvent, RecipientAccountID: account,
		AdditionalEventData: withInstance(data, ""),
	})
	if err != nil {
		s.cfg.Log.Error("mpa: recording a custody sign-in event", "account", account, "event", name, "err", err)
	}
}

func withInstance(data map[string]any, inst string) map[string]any {
	if data == nil {
		data = map[string]any{}
	}
	if inst != "" {
		data["identityCenterInstanceArn"] = inst
	}
	return data
}

// TakeShareAs is TakeShare for who, an Identity Center user signed in to the access portal.
func (s *Service) TakeShareAs(ctx context.Context, account string, who Person) (string, error) {
	var id *Identity
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		r, ok, err := custody.Get(tx, account, custodyKey)
		if err != nil || !ok {
			return err
		}
		for _, c := range r.Custodians {
			if s.is(tx, account, c.SourceARN, c.UserID, who) {
				id = &Identity{SourceARN: c.SourceARN, UserID: c.UserID}
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if id == nil {
		return "", AccessDenied("You hold no share of the root password of account %s.", account)
	}
	return s.TakeShare(ctx, account, *id)
}

// SweepRootSignIns announces the emergency sign-ins whose cooling-off ended (at its end, whether
// or not anyone looks) and deletes ended custody sign-in attempts with any share still entered in
// them; serve runs it every minute. It returns how many it handled.
func (s *Service) SweepRootSignIns(ctx context.Context) (int, error) {
	now := s.cfg.Now().UTC()
	n := 0
	type glassRef struct{ account, id string }
	var ready []glassRef
	var ended []store.Object
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		var after *store.Object
		for {
			objs, err := tx.Scan(glasses.Name, after, 256)
			if err != nil {
				return err
			}
			for _, o := range objs {
				r, err := glasses.Decode(o.Body)
				if err != nil {
					return err
				}
				if r.Status == GlassWaiting && !now.Before(r.Ready) && !r.Announced {
					ready = append(ready, glassRef{o.Account, o.Key})
				}
			}
			if len(objs) < 256 {
				break
			}
			after = &objs[len(objs)-1]
		}
		after = nil
		for {
			objs, err := tx.Scan(attempts.Name, after, 256)
			if err != nil {
				return err
			}
			for _, o := range objs {
				r, err := attempts.Decode(o.Body)
				if err != nil {
					return err
				}
				if !now.Before(r.Expires) {
					ended = append(ended, o)
				}
			}
			if len(objs) < 256 {
				return nil
			}
			after = &objs[len(objs)-1]
		}
	})
	if err != nil {
		return 0, err
	}
	for _, g := range ready {
		if _, err := s.BreakGlassOf(ctx, g.account, g.id); err != nil {
			return n, err
		}
		n++
	}
	for _, o := range ended {
		var gone *attemptRecord
		err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			r, ok, err := attempts.Get(tx, "", o.Key)
			if err != nil || !ok {
				return err
			}
			if err := s.dropEntries(tx, r.Account, o.Key, r.Entered); err != nil {
				return err
			}
			gone = r
			return attempts.Delete(tx, "", o.Key)
		})
		if err != nil {
			return n, err
		}
		if gone != nil {
			s.custodyStep(ctx, gone.Account, nil, "RootCustodySignInExpired", map[string]any{"sharesEntered": len(gone.Entered), "k": gone.K, "failure": gone.Failed})
		}
		n++
	}
	return n, nil
}
