package awserr

import (
	"errors"
	"fmt"
	"testing"
)

type named struct{}

func (named) String() string { return "named" }

// New formats like fmt.Sprintf for the verbs messages use.
func TestNewFormatsLikeSprintf(t *testing.T) {
	for _, tc := range []struct {
		format string
		args   []any
	}{
		{"no verbs", nil},
		{"User %s not found", []any{"bob"}},
		{"%s=%d, %q%%", []any{"k", 42, "a\"b"}},
		{"code %s", []any{Code("NoSuchEntity")}},
		{"err: %s", []any{errors.New("boom")}},
		{"%s and %d", []any{named{}, int64(-7)}},
		{"%d%% of allotted space", []any{uint8(99)}},
		{"trailing %", nil},
	} {
		got := New(InvalidInput, tc.format, tc.args...).Message
		want := tc.format
		if tc.args != nil {
			want = fmt.Sprintf(tc.format, tc.args...)
		}
		if got != want {
			t.Errorf("New(%q, %v).Message = %q, want %q", tc.format, tc.args, got, want)
		}
	}
	// A verb without its argument, or of the wrong kind, is marked, never a panic.
	if got := New(InvalidInput, "%s %d", "x").Message; got != "x %!d(MISSING)" {
		t.Errorf("missing argument: got %q", got)
	}
	if got := New(InvalidInput, "%d", 1.5).Message; got != "%!d(?)" {
		t.Errorf("float for %%d: got %q", got)
	}
}
