package store

import (
	"encoding/json"
	"errors"
	"strings"
)

// The services keep JSON bodies: these helpers are the one place that encodes, decodes and treats
// a missing object, so that iam, orgs and rootuser do not each carry a copy.

// GetJSON decodes the object under (kind, account, key) into v and reports whether there was one.
func GetJSON(tx Tx, kind, account, key string, v any) (bool, error) {
	b, err := tx.Get(kind, account, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(b, v)
}

// PutJSON stores v as JSON, replacing any object under the key.
func PutJSON(tx Tx, kind, account, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(kind, account, key, b)
}

// InsertJSON stores v as JSON under a new key; ErrExists if the key is taken.
func InsertJSON(tx Tx, kind, account, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Insert(kind, account, key, b)
}

// DeleteIfExists removes an object; a missing one is not an error.
func DeleteIfExists(tx Tx, kind, account, key string) error {
	err := tx.Delete(kind, account, key)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Keys lists every key of (kind, account) under prefix, with the prefix removed, reading in pages
// of keyPage so that no single List holds the whole range.
func Keys(tx Tx, kind, account, prefix string) ([]string, error) {
	const keyPage = 256
	var out []string
	after := ""
	for {
		items, err := tx.List(kind, account, prefix, after, keyPage)
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
