package store

import (
	"encoding/json"
	"fmt"
)

// jsonRecords is what RecordJSON and PutRecordJSON need of a registered kind.
type jsonRecords interface {
	recordJSON(body []byte) ([]byte, error)
	putJSON(tx Tx, account, key string, js []byte) error
}

func (k *Kind[R]) recordJSON(body []byte) ([]byte, error) {
	r, err := k.Decode(body)
	if err != nil {
		return nil, err
	}
	return json.Marshal(r)
}

func (k *Kind[R]) putJSON(tx Tx, account, key string, js []byte) error {
	r := new(R)
	if err := json.Unmarshal(js, r); err != nil {
		return fmt.Errorf("store: decode %s: %w", k.Name, err)
	}
	return k.Put(tx, account, key, r)
}

func jsonKind(kind string) (jsonRecords, error) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if r, ok := registry[kind]; ok {
		if j, ok := r.(jsonRecords); ok {
			return j, nil
		}
	}
	return nil, fmt.Errorf("store: no registered kind %q", kind)
}

// RecordJSON returns the record of the registered kind under (account, key) as the JSON of its
// current version (ErrNotFound when there is none), for tests and tools that handle a record
// without its Go type — e.g. to recreate a record an older version of the program left behind.
func RecordJSON(tx Tx, kind, account, key string) ([]byte, error) {
	k, err := jsonKind(kind)
	if err != nil {
		return nil, err
	}
	body, err := tx.Get(kind, account, key)
	if err != nil {
		return nil, err
	}
	return k.recordJSON(body)
}

// PutRecordJSON stores js, the JSON of a record of the registered kind's current version, under
// (account, key), keeping the kind's indexes as Kind.Put does.
func PutRecordJSON(tx Tx, kind, account, key string, js []byte) error {
	k, err := jsonKind(kind)
	if err != nil {
		return err
	}
	return k.putJSON(tx, account, key, js)
}
