package iam

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/rootward/rootward/internal/awserr"
	"github.com/rootward/rootward/internal/store"
)

func itoa(n int) string { return strconv.Itoa(n) }

func keyAD(id string) string { return "accesskey:" + id }

// CreateAccessKey makes a long-term key for a user (at most two). The secret is returned once and
// stored only sealed. Returns LimitExceeded, NoSuchEntity.
func (s *Service) CreateAccessKey(ctx context.Context, account, user string) (*AccessKey, error) {
	if err := checkName("UserName", user, 128); err != nil {
		return nil, err
	}
	secret := newSecret()
	k := &AccessKey{AccessKeyID: newKeyID("AKIA", account), Account: account, Status: "Active", CreateDate: s.Now()}
	k.SealedSecret = s.seal.Seal([]byte(secret), keyAD(k.AccessKeyID))
	err := s.update(ctx, account, func(t txn) error {
		u, err := t.user(account, user)
		if err != nil {
			return err
		}
		k.UserName, k.UserID = u.UserName, u.UserID
		return t.insertAccessKey(k, accessKeysPerUsr)
	})
	if err != nil {
		return nil, err
	}
	k.Secret = secret
	return k, nil
}

// userKey loads a key and checks that it belongs to the user of account.
func (t txn) userKey(account, user, id string) (*AccessKey, error) {
	k, err := t.accessKey(id)
	if err != nil {
		return nil, err
	}
	if k == nil || k.Account != account || !strings.EqualFold(k.UserName, user) {
		return nil, awserr.New(awserr.NoSuchEntity, "The Access Key with id %s cannot be found.", id)
	}
	return k, nil
}

// UpdateAccessKey sets a key Active or Inactive.
func (s *Service) UpdateAccessKey(ctx context.Context, account, user, id, status string) error {
	if status != "Active" && status != "Inactive" {
		return invalid("Status", status, "Member must satisfy enum value set: [Active, Inactive]")
	}
	return s.update(ctx, account, func(t txn) error {
		k, err := t.userKey(account, user, id)
		if err != nil {
			return err
		}
		k.Status = status
		return t.putAccessKey(k)
	})
}

// DeleteAccessKey deletes a key.
func (s *Service) DeleteAccessKey(ctx context.Context, account, user, id string) error {
	return s.update(ctx, account, func(t txn) error {
		if _, err := t.userKey(account, user, id); err != nil {
			return err
		}
		return accessKeys.DeleteIfExists(t, "", id)
	})
}

// ListAccessKeys lists a user's keys ("" = the root user's, indexed under the empty name), without
// secrets.
func (s *Service) ListAccessKeys(ctx context.Context, account, user string, o ListOpts) (Page[AccessKey], error) {
	var p Page[AccessKey]
	err := s.view(ctx, func(t txn) (err error) {
		if user != "" {
			if _, err := t.user(account, user); err != nil {
				return err
			}
		}
		p, err = readPage(t.ownedKeys(account, user), o, func(it store.Item) (AccessKey, bool, error) {
			k, ok, err := t.ownedKey(it)
			if !ok {
				return AccessKey{}, false, err
			}
			return *k, true, nil
		})
		return err
	})
	return p, err
}

// AccessKey returns a key by ID with its secret opened, and the user it authenticates (nil for
// the root user's keys), for request authentication. Returns ErrUnknownKey when there is no such
// key or when its user is gone: a key belongs to the user with its unique ID, so after that user
// is deleted the key fails for good, even once a user of the same name exists again.
func (s *Service) AccessKey(ctx context.Context, id string) (*AccessKey, *User, error) {
	var k *AccessKey
	var owner *User
	err := s.view(ctx, func(t txn) (err error) {
		if k, err = t.accessKey(id); err != nil || k == nil {
			return err
		}
		owner, err = t.keyOwner(k)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if k == nil {
		return nil, nil, ErrUnknownKey
	}
	secret, err := s.seal.Open(k.SealedSecret, keyAD(id))
	if err != nil {
		return nil, nil, err
	}
	k.Secret = string(secret)
	return k, owner, nil
}

// keyOwner returns the user a key authenticates (nil for a root key), or ErrUnknownKey when that
// user no longer exists. A key records its user's unique ID since the ID was added to the record;
// an older record carries only the name and is matched by name. That is safe because no older key
// can have outlived its user: DeleteUser refuses while the user has keys (DeleteConflict), both
// run in serializable transactions, and UpdateUser renames the user's keys with it. The ID is
// written into such a record the next time the key is used (RecordKeyUse).
func (t txn) keyOwner(k *AccessKey) (*User, error) {
	if k.UserName == "" {
		return nil, nil
	}
	u, err := t.user(k.Account, k.UserName)
	if awserr.IsCode(err, awserr.NoSuchEntity) {
		return nil, ErrUnknownKey
	}
	if err != nil {
		return nil, err
	}
	if k.UserID != "" && k.UserID != u.UserID {
		return nil, ErrUnknownKey
	}
	return u, nil
}

// ErrUnknownKey is returned by AccessKey and Session for an unknown key ID.
var ErrUnknownKey = errors.New("iam: unknown access key")

// GetAccessKeyLastUsed returns a key's owner and last use. Anyone in the account may ask.
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, account, id string) (*AccessKey, error) {
	var k *AccessKey
	err := s.view(ctx, func(t txn) (err error) {
		k, err = t.accessKey(id)
		if err == nil && (k == nil || k.Account != account) {
			return awserr.New(awserr.AccessDenied, "The Access Key with id %s cannot be found or does not belong to your account.", id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// RecordKeyUse stores when and where a key was last used. The server calls it at most once a
// minute per key, so authentication does not turn every read into a write.
func (s *Service) RecordKeyUse(ctx context.Context, id, service, region string, at time.Time) error {
	return store.Update(ctx, s.st, func(t txn) error {
		k, err := t.accessKey(id)
		if err != nil || k == nil {
			return err
		}
		if k.UserName != "" && k.UserID == "" {
			// A key stored before keys recorded their user's ID: bind it now (see keyOwner).
			u, err := t.keyOwner(k)
			if errors.Is(err, ErrUnknownKey) {
				return nil // the key authenticates nobody: nothing to record
			}
			if err != nil {
				return err
			}
			k.UserID = u.UserID
		}
		at = at.UTC().Truncate(time.Second)
		k.LastUsed, k.LastService, k.LastRegion = &at, service, region
		return t.putAccessKey(k)
	})
}

// KeyAccount returns the account that owns a long-term or temporary access key ID
// (sts:GetAccessKeyInfo): the account recorded with a key issued here (keys issued before key IDs
// encoded their account are found this way too), else the account the ID encodes, as AWS answers
// for any well-formed key ID (see keyid.go). Returns ValidationError for an ID that is not
// well-formed.
func (s *Service) KeyAccount(ctx context.Context, id string) (string, error) {
	var account string
	err := s.view(ctx, func(t txn) error {
		if strings.HasPrefix(id, "ASIA") {
			r, ok, err := sessions.Get(t, "", id)
			if ok {
				account = r.Account
			}
			return err
		}
		k, err := t.accessKey(id)
		if k != nil {
			account = k.Account
		}
		return err
	})
	if err != nil && !awserr.IsCode(err, awserr.NoSuchEntity) {
		return "", err
	}
	if account != "" {
		return account, nil
	}
	account, derr := KeyIDAccount(id)
	if derr != nil {
		return "", awserr.New(awserr.ValidationError, "The access key ID %s is not well-formed: %v.", id, derr)
	}
	return account, nil
}
