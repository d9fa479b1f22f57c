package testutil

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// JSONObject is v as a JSON client reads it: marshalled, then decoded into a map.
func JSONObject(t testing.TB, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// WantJSON fails unless got equals the JSON object want, in which each old string of vars is
// first replaced by the new one that follows it; the failure shows both, indented.
func WantJSON(t testing.TB, got map[string]any, want string, vars ...string) {
	t.Helper()
	var w map[string]any
	if err := json.Unmarshal([]byte(strings.NewReplacer(vars...).Replace(want)), &w); err != nil {
		t.Fatalf("the wanted JSON does not parse: %v", err)
	}
	if !reflect.DeepEqual(got, w) {
		g, _ := json.MarshalIndent(got, "", "  ")
		wi, _ := json.MarshalIndent(w, "", "  ")
		t.Fatalf("got\n%s\nwant\n%s", g, wi)
	}
}
