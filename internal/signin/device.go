package signin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies",
// https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies). A lock
// shared by everyone who types an identity stops brute force, but lets anyone who knows the root
// email keep the root user out with ten wrong passwords. So a browser that has completed a sign-in
// for an identity receives a device cookie for it, and its later password attempts for that
// identity are judged by the cookie's own counter alone: the identity's shared lock, which all
// unknown clients share, does not stop it, and its own failures lock only the cookie. A locked
// cookie is no longer trusted: its holder is judged like any unknown client until the lock ends.
//
// The cookie is a random 256-bit token; the store keeps only its SHA-256 with the identity it was
// issued for and its expiry, so a cookie cannot be forged without writing to the database, one
// for another identity is worth nothing here, and a database reader learns no usable cookie. Each
// completed sign-in replaces the cookie it came with by a new one.

const kindDevice = "ru.device" // global: hex SHA-256(cookie) → deviceRecord

// DeviceCookieLifetime is how long a device cookie is trusted after the sign-in that issued it.
const DeviceCookieLifetime = 365 * 24 * time.Hour

// maxDeviceCookies bounds the cookies one sign-in attempt looks up, whatever the browser sends.
const maxDeviceCookies = 16

type deviceRecord struct {
	// Identity is the sign-in identity the cookie was issued for: the throttling identity key
	// (kind and id) of the password step.
	Identity  string    `json:"identity"`
	ExpiresAt time.Time `json:"expires"`
}

// DeviceCookie is a device cookie to give the browser after a completed sign-in. ID names the
// identity (a digest, not the email or user name), so a browser keeps one cookie per identity.
type DeviceCookie struct {
	ID        string
	Value     string
	ExpiresAt time.Time
}

// deviceBinding carries, through a pending sign-in, what its completion needs to issue the device
// cookie: the identity and the cookie presented at the password step (replaced on success).
type deviceBinding struct {
	Identity string `json:"device_identity,omitempty"`
	Old      string `json:"device_old,omitempty"`
}

// deviceID is the public name of an identity's device cookie.
func deviceID(identity string) string {
	h := sha256.Sum256([]byte("rootward device cookie\x00" + identity))
	return hex.EncodeToString(h[:8])
}

func (s *Service) deviceScope(key string) scope { return s.identityScope("device", key) }

// trustedDevice returns the store key of the client's device cookie for identity when it holds a
// valid one that is not locked, "" otherwise.
func (s *Service) trustedDevice(ctx context.Context, identity string, c Client) (string, error) {
	now := s.Now()
	for i, v := range c.DeviceCookies {
		if i == maxDeviceCookies {
			break
		}
		key := tokenKey(v)
		var rec deviceRecord
		var ok bool
		if err := s.view(ctx, func(t txn) (err error) {
			ok, err = deviceCookies.Load(t, "", key, &rec)
			return err
		}); err != nil {
			return "", err
		}
		if !ok || rec.Identity != identity || !now.Before(rec.ExpiresAt) {
			continue
		}
		sc := s.deviceScope(key)
		ct, err := s.counters.State(ctx, sc)
		if err != nil {
			return "", err
		}
		if sc.Locked(ct, now) {
			return "", nil
		}
		return key, nil
	}
	return "", nil
}

// passwordScopes returns the counters a password attempt for identity (kind and id) is judged by,
// and the binding its completion will need: the device cookie's own counter when the client holds
// a trusted one, otherwise the identity's shared counter and the address's.
func (s *Service) passwordScopes(ctx context.Context, kind, id string, c Client) ([]scope, deviceBinding, error) {
	b := deviceBinding{Identity: kind + ":" + id}
	dev, err := s.trustedDevice(ctx, b.Identity, c)
	if err != nil {
		return nil, b, err
	}
	if dev != "" {
		b.Old = dev
		return []scope{s.deviceScope(dev)}, b, nil
	}
	return s.scopes(kind, id, c), b, nil
}

// passwordSucceeded clears what a right password's attempt was judged by: the device's counter,
// or the identity's with the address's attempt refunded. A trusted device's success leaves the
// shared counter alone, so it cannot reset the lock a stranger's guesses earned.
func (s *Service) passwordSucceeded(ctx context.Context, kind, id string, b deviceBinding, c Client) error {
	if b.Old != "" {
		return s.counters.Clear(ctx, s.deviceScope(b.Old))
	}
	return s.succeeded(ctx, kind, id, c)
}

// issueDevice stores a new device cookie for a completed sign-in and retires the one it came with.
func (s *Service) issueDevice(ctx context.Context, b deviceBinding) (*DeviceCookie, error) {
	if b.Identity == "" {
		return nil, nil
	}
	v := randomToken()
	rec := deviceRecord{Identity: b.Identity, ExpiresAt: s.Now().Add(DeviceCookieLifetime)}
	err := s.update(ctx, func(t txn) error {
		if b.Old != "" {
			if err := deviceCookies.DeleteIfExists(t, "", b.Old); err != nil {
				return err
			}
		}
		return deviceCookies.Put(t, "", tokenKey(v), &rec)
	})
	if err != nil {
		return nil, err
	}
	return &DeviceCookie{ID: deviceID(b.Identity), Value: v, ExpiresAt: rec.ExpiresAt}, nil
}
