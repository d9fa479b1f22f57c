package rootuser

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rootward/rootward/internal/iam"
)

// MFALocked alerts the account's security contacts (the root email and the security alternate
// contact) that too many wrong MFA codes have locked a device or a principal's MFA. The API server
// calls it (server.Config.MFALocked) after recording the lock; the console's own MFA registration
// calls it through afterEnable. A failure to send is logged: the lock stands either way.
func (s *Service) MFALocked(ctx context.Context, l iam.MFALock) {
	who := "the root user"
	if l.UserName != "" {
		who = "IAM user " + l.UserName
	}
	var what string
	switch {
	case l.Device && l.Principal:
		what = "MFA device " + l.Serial + " and every MFA code of " + who
	case l.Device:
		what = "MFA device " + l.Serial + " of " + who
	default:
		what = "every MFA code of " + who
	}
	body := fmt.Sprintf("Too many wrong MFA codes were presented to %s in account %s. %s is locked until %s: until then even the right code is refused.\n\n"+
		"If this was not you or someone you know, the credentials used may be compromised: review the account's CloudTrail records (MFALockout, ConsoleLogin) and rotate them.",
		l.Operation, l.Account, capitalize(what), l.Until.UTC().Format(time.RFC1123))
	if err := s.alertContacts(ctx, l.Account, PurposeMFALocked, "MFA locked after too many wrong codes in account "+l.Account, body); err != nil {
		s.log.Error("rootuser: MFA lock alert not sent", "account", l.Account, "err", err)
	}
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// noteMFALock alerts the contacts when err is the wrong code that locked an MFA device.
func (s *Service) noteMFALock(ctx context.Context, err error) {
	var locked *iam.MFALockedError
	if errors.As(err, &locked) {
		s.MFALocked(ctx, locked.Lock)
	}
}
