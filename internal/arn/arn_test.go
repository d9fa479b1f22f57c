package arn

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	// Examples from the IAM User Guide, "IAM identifiers" (IAM ARNs) and the General Reference's
	// ARN format page (S3 without region/account, resource parts containing ':' and '/').
	tests := []struct {
		name string
		in   string
		want ARN
		err  bool
	}{
		{name: "iam user", in: "arn:aws:iam::123456789012:user/alice",
			want: ARN{"aws", "iam", "", "123456789012", "user/alice"}},
		{name: "iam user with path", in: "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob",
			want: ARN{"aws", "iam", "", "123456789012", "user/division_abc/subdivision_xyz/Bob"}},
		{name: "account root", in: "arn:aws:iam::123456789012:root",
			want: ARN{"aws", "iam", "", "123456789012", "root"}},
		{name: "assumed role session", in: "arn:aws:sts::123456789012:assumed-role/Accounting-Role/Mary",
			want: ARN{"aws", "sts", "", "123456789012", "assumed-role/Accounting-Role/Mary"}},
		{name: "aws managed policy", in: "arn:aws:iam::aws:policy/AdministratorAccess",
			want: ARN{"aws", "iam", "", "aws", "policy/AdministratorAccess"}},
		{name: "s3 object", in: "arn:aws:s3:::my_corporate_bucket/exampleobject.png",
			want: ARN{"aws", "s3", "", "", "my_corporate_bucket/exampleobject.png"}},
		{name: "resource with colons", in: "arn:aws:logs:us-east-1:123456789012:log-group:my-group:*",
			want: ARN{"aws", "logs", "us-east-1", "123456789012", "log-group:my-group:*"}},
		{name: "china partition", in: "arn:aws-cn:iam::123456789012:role/r",
			want: ARN{"aws-cn", "iam", "", "123456789012", "role/r"}},
		{name: "not arn prefix", in: "urn:aws:iam::123456789012:root", err: true},
		{name: "too few components", in: "arn:aws:iam::123456789012", err: true},
		{name: "empty partition", in: "arn::iam::123456789012:root", err: true},
		{name: "empty service", in: "arn:aws:::123456789012:root", err: true},
		{name: "empty resource", in: "arn:aws:iam::123456789012:", err: true},
		{name: "empty", in: "", err: true},
		{name: "star", in: "*", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.err {
				if err == nil {
					t.Fatalf("Parse(%q) = %+v, want error", tt.in, got)
				}
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v is not ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.in {
				t.Fatalf("String() = %q, want %q", s, tt.in)
			}
		})
	}
}

func TestSplitNoAlloc(t *testing.T) {
	var parts [Sections]string
	n := testing.AllocsPerRun(100, func() {
		Split("arn:aws:iam::123456789012:user/alice", &parts)
	})
	if n != 0 {
		t.Fatalf("Split allocates %v times", n)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("arn:aws:iam::123456789012:user/alice")
	f.Add("arn:aws:s3:::b/k:x")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		if a.String() != s {
			t.Fatalf("round trip %q -> %q", s, a.String())
		}
	})
}

func TestBuilders(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"IAM", IAM("111122223333", "user/alice"), "arn:aws:iam::111122223333:user/alice"},
		{"IAMEntity with path", IAMEntity("111122223333", "role", "/app/", "web"), "arn:aws:iam::111122223333:role/app/web"},
		{"Root", Root("111122223333"), "arn:aws:iam::111122223333:root"},
		{"AWSManagedPolicy", AWSManagedPolicy("/", "AdministratorAccess"), "arn:aws:iam::aws:policy/AdministratorAccess"},
		{"AssumedRole", AssumedRole("111122223333", "r", "s"), "arn:aws:sts::111122223333:assumed-role/r/s"},
		{"Organizations", Organizations("111122223333", "ou/o-abc/ou-x"), "arn:aws:organizations::111122223333:ou/o-abc/ou-x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %q, want %q", tc.got, tc.want)
			}
			if _, err := Parse(tc.got); err != nil {
				t.Fatalf("Parse(%q): %v", tc.got, err)
			}
		})
	}
	for arn, want := range map[string]bool{AWSManagedPolicyPrefix + "ReadOnlyAccess": true, Root("111122223333"): false, "arn:aws:iam::aws": false} {
		if got := IsAWSManaged(arn); got != want {
			t.Errorf("IsAWSManaged(%q) = %v, want %v", arn, got, want)
		}
	}
}
