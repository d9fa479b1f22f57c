package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
)

// Txn is a transaction with the helpers the services use: their bodies are JSON, and a missing
// object is an answer, not an error. Each service wraps it in a type of its own (struct{ Txn })
// to hang its own reads on, and runs it with View and Update, so that iam, orgs and rootuser do
// not each carry a copy of the wrapper.
type Txn struct{ Tx }

// View runs fn in a read-only transaction of st (Store.View), as the caller's own wrapper type.
func View[T ~struct{ Txn }](ctx context.Context, st Store, fn func(t T) error) error {
	return st.View(ctx, func(tx Tx) error { return fn(T{Txn{tx}}) })
}

// Update runs fn in a read-write transaction of st (Store.Update), as the caller's own wrapper
// type. Errors from fn are returned unchanged.
func Update[T ~struct{ Txn }](ctx context.Context, st Store, fn func(t T) error) error {
	return st.Update(ctx, func(tx Tx) error { return fn(T{Txn{tx}}) })
}

// GetJSON decodes the object under (kind, account, key) into v and reports whether there was one.
func (t Txn) GetJSON(kind, account, key string, v any) (bool, error) {
	b, err := t.Get(kind, account, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(b, v)
}

// PutJSON stores v as JSON, replacing any object under the key.
func (t Txn) PutJSON(kind, account, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.Put(kind, account, key, b)
}

// InsertJSON stores v as JSON under a new key; ErrExists if the key is taken.
func (t Txn) InsertJSON(kind, account, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.Insert(kind, account, key, b)
}

// DeleteIfExists removes an object; a missing one is not an error.
func (t Txn) DeleteIfExists(kind, account, key string) error {
	err := t.Delete(kind, account, key)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Keys lists every key of (kind, account) under prefix, with the prefix removed, reading in pages
// of keyPage so that no single List holds the whole range. It is for work that needs the whole
// set (a cascade, a count by value); a listing a caller pages through uses ReadPage, which reads
// one page.
func (t Txn) Keys(kind, account, prefix string) ([]string, error) {
	const keyPage = 256
	var out []string
	after := ""
	for {
		items, err := t.List(kind, account, prefix, after, keyPage)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out = append(out, strings.TrimPrefix(it.Key, prefix))
			after = it.Key
		}
		if len(items) < keyPage {
			return out, nil
		}
	}
}
