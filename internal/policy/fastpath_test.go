package policy

import (
	"fmt"
	"math/rand"
	"net/netip"
	"strings"
	"testing"
)

// Tests of the decision path's shortcuts: each is checked against the plain computation it
// replaces, so a shortcut that drifts from it fails here rather than in a decision.

func TestLowerASCII(t *testing.T) {
	// Every byte value in every position of the word, against the byte-at-a-time definitions.
	for pos := 0; pos < 8; pos++ {
		for b := 0; b < 256; b++ {
			w := uint64(0x5a41_7a61_3a40_5b60) // a neighbourhood of 'A'-1, 'Z'+1, 'a', 'z', ':'
			w = w&^(0xff<<(8*pos)) | uint64(b)<<(8*pos)
			var wantLower uint64
			for i := 0; i < 8; i++ {
				c := byte(w >> (8 * i))
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				wantLower |= uint64(c) << (8 * i)
			}
			if got := lowerASCII(w); got != wantLower {
				t.Fatalf("lowerASCII(%#016x) = %#016x, want %#016x", w, got, wantLower)
			}
		}
	}
}

// TestEvaluatorInit checks the one-pass action normalisation against strings.ToLower,
// strings.IndexByte and foldHash, for every length around the word boundaries and colons in every
// position.
func TestEvaluatorInit(t *testing.T) {
	var actions []string
	for n := 1; n <= 130; n++ {
		base := strings.Repeat("AbCdEfGhIj", n/10+1)[:n]
		actions = append(actions, base)
		for _, c := range []int{0, 1, 3, 7, 8, 9, 15, 16, 17, n - 1} {
			if c >= 0 && c < n {
				actions = append(actions, base[:c]+":"+base[c+1:])
			}
		}
	}
	actions = append(actions, "iam:GetUser", "S3:GETOBJECT", "svc0:NoSuchAction", "a:b:c", ":x", "x:", "svc:Ärger", "ÄRGER:x")
	for _, a := range actions {
		t.Run(a, func(t *testing.T) {
			var e evaluator
			if !e.init(&Request{Action: a}) {
				t.Fatal("init refused a non-empty action")
			}
			nonASCII := strings.ContainsFunc(a, func(r rune) bool { return r >= 0x80 })
			if e.scanAll != nonASCII {
				t.Fatalf("scanAll = %v, want %v", e.scanAll, nonASCII)
			}
			if e.scanAll {
				return
			}
			lower := strings.ToLower(a)
			if !equalLowerASCII(lower, a) {
				t.Fatalf("equalLowerASCII(%q, %q) = false", lower, a)
			}
			if e.actHash != foldHash(lower) {
				t.Fatal("action hash differs from foldHash of the lower-cased action")
			}
			svc := max(strings.IndexByte(lower, ':'), 0)
			svcLen, svcHash := e.service()
			if svcLen != svc {
				t.Fatalf("service length %d, want %d", svcLen, svc)
			}
			if svc > 0 && svcHash != foldHash(lower[:svc]) {
				t.Fatal("service hash differs from foldHash of the service prefix")
			}
		})
	}
}

func TestEqualLowerASCII(t *testing.T) {
	tests := []struct {
		name, lower, s string
		want           bool
	}{
		{"same", "iam:getuser", "iam:getuser", true},
		{"capitals fold", "iam:getuser", "IAM:GetUser", true},
		{"longer than a word", "s3:getobjectversiontagging", "S3:GetObjectVersionTagging", true},
		{"differs in the last byte", "iam:getuser", "iam:getusex", false},
		{"differs in the first word", "iam:getuser", "iaX:getuser", false},
		{"differs in a full second word", "s3:getobjectversion", "s3:getobjectVersiox", false},
		{"shorter", "iam:getuser", "iam:getuse", false},
		{"longer", "iam:getuser", "iam:getusers", false},
		{"empty", "", "", true},
		// lower holds only lower-case names; a capital in it never equals anything folded.
		{"capital in lower", "IAM:x", "IAM:x", false},
		{"bytes next to the capitals", "iam:@[`{", "IAM:@[`{", true},
		{"@ is not a capital", "`", "@", false},
		{"non-ASCII compared as is", "svc:\xc3\x84", "svc:\xc3\x84", true},
		{"non-ASCII is not folded", "svc:\xc3\xa4", "svc:\xc3\x84", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := equalLowerASCII(tc.lower, tc.s); got != tc.want {
				t.Fatalf("equalLowerASCII(%q, %q) = %v, want %v", tc.lower, tc.s, got, tc.want)
			}
		})
	}
}

func TestStrHashStringAndBytesAgree(t *testing.T) {
	for n := 0; n <= 40; n++ {
		s := strings.Repeat("x7:", 14)[:n]
		if strHash(s) != strHash([]byte(s)) {
			t.Fatalf("length %d: string and byte hashes differ", n)
		}
		// A trailing NUL must not collide with the shorter string: the length is mixed in.
		if strHash(s) == strHash(s+"\x00") {
			t.Fatalf("length %d: hash ignores a trailing zero byte", n)
		}
	}
}

func TestStatementIndexTable(t *testing.T) {
	tests := []struct {
		name string
		hash func(string) uint64
	}{
		{"strHash", strHash[string]},
		// Every key in one probe chain: lookups must still tell keys apart by their text.
		{"all keys collide", func(string) uint64 { return 42 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ix stmtIndex
			if got := ix.find(tt.hash("a"), "a"); got != -1 {
				t.Fatalf("empty index found %d", got)
			}
			const n = 200
			for i := 0; i < n; i++ {
				k := fmt.Sprint("svc:action", i)
				ix.keys.insert(tt.hash(k), i)
				ix.names = append(ix.names, k)
			}
			for i := 0; i < n; i++ {
				k := fmt.Sprint("svc:action", i)
				if got := ix.find(tt.hash(k), k); got != i {
					t.Fatalf("find(%q) = %d, want %d", k, got, i)
				}
			}
			if got := ix.find(tt.hash("svc:action200"), "svc:action200"); got != -1 {
				t.Fatalf("absent key found at %d", got)
			}
			if 2*ix.keys.n > len(ix.keys.slots) {
				t.Fatalf("%d keys in %d slots: more than half full", ix.keys.n, len(ix.keys.slots))
			}
		})
	}
}

func TestContextManyKeys(t *testing.T) {
	var c Context
	const n = 200
	for round := 0; round < 2; round++ { // the second round reuses the memory Reset kept
		for i := 0; i < n; i++ {
			c.Set(fmt.Sprint("Svc:Key", i), fmt.Sprint(i), "x")
		}
		c.Set("svc:key7", "replaced") // same key, other case
		for i := 0; i < n; i++ {
			want := []string{fmt.Sprint(i), "x"}
			if i == 7 {
				want = []string{"replaced"}
			}
			got, ok := c.Get(fmt.Sprint("SVC:KEY", i))
			if !ok || strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("round %d: Get(key %d) = %v, %v; want %v", round, i, got, ok, want)
			}
		}
		if _, ok := c.Get("svc:key200"); ok {
			t.Fatal("absent key found")
		}
		if keys := c.Keys(); len(keys) != n || keys[7] != "Svc:Key7" {
			t.Fatalf("Keys: %d keys, [7] = %q", len(keys), keys[7])
		}
		c.Reset()
		// Reset clears only the slots in use: every one of them, wherever growth moved it.
		for i := 0; i < n; i++ {
			if _, ok := c.Get(fmt.Sprint("svc:key", i)); ok {
				t.Fatalf("Reset kept key %d", i)
			}
		}
		for i := range c.slots {
			if c.slots[i].kn != 0 {
				t.Fatalf("Reset left slot %d filled", i)
			}
		}
		if len(c.Keys()) != 0 {
			t.Fatal("Reset kept a key")
		}
	}
}

// TestContextNonASCIIKeys: a tag key may hold any letter; it is lower-cased with Unicode rules on
// both sides, as strings.ToLower does for the policy's keys.
func TestContextNonASCIIKeys(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
		"Condition":{"StringEquals":{"aws:PrincipalTag/Ärger":"ja"}}}}`, KindIdentity)
	tests := []struct {
		name, key, value string
		want             bool
	}{
		{"same case", "aws:PrincipalTag/Ärger", "ja", true},
		{"upper case", "AWS:PRINCIPALTAG/ÄRGER", "ja", true},
		{"lower case", "aws:principaltag/ärger", "ja", true},
		{"other value", "aws:PrincipalTag/Ärger", "nein", false},
		{"other key", "aws:PrincipalTag/Arger", "ja", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := &Context{}
			ctx.Set("aws:username", "alice")
			ctx.Set(tt.key, tt.value)
			d := Evaluate(&Input{Identity: []*Policy{p}}, &Request{Action: "s3:GetObject", Resource: "*", Context: ctx})
			if d.Allowed() != tt.want {
				t.Fatalf("allowed = %v, want %v", d.Allowed(), tt.want)
			}
			if v, ok := ctx.Get("aws:principaltag/ÄRGER"); ok != (tt.name != "other key") || ok && v[0] != tt.value {
				t.Fatalf("Get = %v, %v", v, ok)
			}
		})
	}
}

// TestLinearAndFlatMatching compares the shortcuts for linear patterns (literals and variables,
// at most a trailing '*') and flat resources (plain text up to the last component) with the
// general wildcard matcher and the component-by-component match.
func TestLinearAndFlatMatching(t *testing.T) {
	patterns := []string{
		"arn:aws:s3:::bucket/home/${aws:username}/*",
		"arn:aws:s3:::bucket/home/${aws:username}",
		"arn:aws:s3:::bucket/*",
		"arn:aws:s3:::bucket",
		"arn:aws:s3:::*",
		"arn:aws:iam::111122223333:user/${aws:username}",
		"arn:aws:logs:us-east-1:111122223333:log-group:*",
		"arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}/*",
		"arn:aws:s3:::b/${aws:missing}/*",
		"arn:aws:s3:::a*b",
		"arn:aws:s3:::a?c",
		"arn:aws:iam::*:root",
		"arn:aws:s3",
		"arn:aws:s3:::${*}x",
	}
	values := []string{
		"arn:aws:s3:::bucket/home/alice/notes.txt", "arn:aws:s3:::bucket/home/alice", "arn:aws:s3:::bucket/home/alice/",
		"arn:aws:s3:::bucket/home/bob/x", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket2", "arn:aws:s3:::b/red/x",
		"arn:aws:s3:::b/none/x", "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:root",
		"arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s", "arn:aws:s3:::axxb", "arn:aws:s3:::abc",
		"arn:aws:s3", "arn:aws:s3:x", "arn:aws:s3:::*x", "*", "", "arn:aws:s3:::",
		"arn:aws:iam::1:x:root", // a '*' must not span colons inside a component
	}
	ctx := &Context{}
	ctx.Set("aws:username", "alice")
	ctx.Set("aws:PrincipalTag/team", "red")
	r := &resolver{ctx: ctx}
	for _, ptext := range patterns {
		rp, msg := compileResource(ptext, true)
		if msg != "" {
			t.Fatalf("%s: %s", ptext, msg)
		}
		general := rp
		general.flat = false
		for i := range general.comps {
			general.comps[i].linear = false
		}
		whole := rp.whole
		whole.linear = false
		for _, v := range values {
			t.Run(ptext+"/"+v, func(t *testing.T) {
				m1, r1 := rp.match(v, r)
				m2, r2 := general.match(v, r)
				if m1 != m2 || r1 != r2 {
					t.Fatalf("shortcut (%v, %v), component match (%v, %v)", m1, r1, m2, r2)
				}
				m3, r3 := rp.whole.match(v, false, r)
				m4, r4 := whole.match(v, false, r)
				if m3 != m4 || r3 != r4 {
					t.Fatalf("whole string: linear (%v, %v), general (%v, %v)", m3, r3, m4, r4)
				}
			})
		}
	}
}

// TestNonASCIIActionDeny: the index folds ASCII only, so an action with other characters is
// matched statement by statement with Unicode folding, as the Action element is documented to
// be case-insensitive. A Deny naming such an action in another case must still apply.
func TestNonASCIIActionDeny(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"svc:Ärger","Resource":"*"}]}`, KindIdentity)
	in := &Input{Identity: []*Policy{p}}
	for _, a := range []string{"svc:Ärger", "SVC:ÄRGER", "svc:ärger"} {
		if d := Evaluate(in, &Request{Action: a, Resource: "*"}); d.Effect != ExplicitDeny {
			t.Errorf("%s: %v, want explicit deny", a, d.Effect)
		}
	}
	if d := Evaluate(in, &Request{Action: "svc:Other", Resource: "*"}); !d.Allowed() {
		t.Errorf("svc:Other: %v, want allowed", d.Effect)
	}
}

// TestContextTypedValues: Set parses each value once; a later Set of the key replaces the parsed
// forms along with the text, and Reset drops them.
func TestContextTypedValues(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}},
		{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}},
		{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}},
		{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}]}`, KindIdentity)
	in := &Input{Identity: []*Policy{p, mustParse(t, `{"Statement":{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"*"}}`, KindIdentity)}}
	ctx := &Context{}
	decide := func(action string) Effect {
		return Evaluate(in, &Request{Action: action, Resource: "*", Context: ctx}).Effect
	}
	steps := []struct {
		name   string
		change func()
		action string
		want   Effect
	}{
		{"address in block", func() { ctx.Set("aws:SourceIp", "192.0.2.7") }, "s3:GetObject", Allowed},
		{"Set replaces the parsed address", func() { ctx.Set("aws:SourceIp", "198.51.100.7") }, "s3:GetObject", ImplicitDeny},
		{"deny outside the block", nil, "s3:DeleteObject", ExplicitDeny},
		{"Set with a value that is no address", func() { ctx.Set("AWS:SOURCEIP", "not-an-ip") }, "s3:GetObject", ImplicitDeny},
		{"unparsable address still denies", nil, "s3:DeleteObject", ExplicitDeny},
		{"back in the block", func() { ctx.Set("aws:sourceip", "::ffff:192.0.2.9") }, "s3:DeleteObject", Allowed},
		{"number below", func() { ctx.Set("s3:max-keys", "9.5") }, "s3:PutObject", Allowed},
		{"Set replaces the parsed number", func() { ctx.Set("s3:max-keys", "10") }, "s3:PutObject", ImplicitDeny},
		{"several values, one matches", func() { ctx.Set("s3:max-keys", "x", "3") }, "s3:PutObject", Allowed},
		{"date before", func() { ctx.Set("aws:CurrentTime", "2026-01-02T03:04:05Z") }, "s3:ListBucket", Allowed},
		{"Set replaces the parsed date", func() { ctx.Set("aws:CurrentTime", "2031-01-01") }, "s3:ListBucket", ImplicitDeny},
		{"epoch seconds parse as a date", func() { ctx.Set("aws:CurrentTime", "1767322245") }, "s3:ListBucket", Allowed},
		{"Reset drops the parsed address", func() { ctx.Reset() }, "s3:GetObject", ImplicitDeny},
		{"Reset then a key missing from a NotIpAddress deny", nil, "s3:DeleteObject", ExplicitDeny},
		{"reused after Reset", func() { ctx.Set("aws:SourceIp", "192.0.2.200") }, "s3:GetObject", Allowed},
	}
	for _, st := range steps {
		if st.change != nil {
			st.change()
		}
		if got := decide(st.action); got != st.want {
			t.Fatalf("%s: %s is %v, want %v", st.name, st.action, got, st.want)
		}
	}
}

// TestParseTyped: the parsed forms are exactly what the operators' parsers give, and mayBeIP never
// turns away a string netip.ParseAddr accepts.
func TestParseTyped(t *testing.T) {
	values := []string{
		"192.0.2.1", "::ffff:192.0.2.1", "2001:db8::1", "2001:DB8::1", "fe80::1%eth0", "::", "::1", "1.2.3.4%eth0",
		"1.2.3", "256.1.1.1", "localhost", "abc", "arn:aws:iam::111122223333:user/alice", "2026-01-02T03:04:05Z",
		"2026-01-02", "1767322245", "-5", "1e3", "1.5", ".5", "true", "", "%", "a%b", ":", "1:2", "cafe::", "dead:beef::1%25x",
	}
	r := rand.New(rand.NewSource(1))
	const alphabet = "0123456789abcdefABCDEF.:%-xT"
	for i := 0; i < 5000; i++ {
		b := make([]byte, 1+r.Intn(20))
		for j := range b {
			b[j] = alphabet[r.Intn(len(alphabet))]
		}
		values = append(values, string(b))
	}
	for _, v := range values {
		tv := parseTyped(v)
		a, err := netip.ParseAddr(v)
		if (err == nil) != (tv.has&hasIP != 0) || err == nil && tv.ip != addrBits(a.Unmap()) {
			t.Fatalf("%q: parsed address %v (has %v), ParseAddr %v, %v", v, tv.ip, tv.has&hasIP != 0, a, err)
		}
		if err == nil && !mayBeIP(v) {
			t.Fatalf("%q: mayBeIP refuses an address", v)
		}
		f, ok := parseNumber(v)
		if ok != (tv.has&hasNum != 0) || ok && f != tv.num {
			t.Fatalf("%q: parsed number %v (has %v), parseNumber %v, %v", v, tv.num, tv.has&hasNum != 0, f, ok)
		}
		d, ok := parseDate(v)
		if ok != (tv.has&hasDate != 0) || ok && d != tv.date {
			t.Fatalf("%q: parsed date %v (has %v), parseDate %v, %v", v, tv.date, tv.has&hasDate != 0, d, ok)
		}
	}
}

// TestServicePrefixComputedOnDemand checks decisions that need the action's service prefix, which
// the evaluator finds and hashes only when a policy indexes service prefixes: in any case, after
// policies that index none, and shared by several policies of one request.
func TestServicePrefixComputedOnDemand(t *testing.T) {
	exactOnly := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	iamWild := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}}`
	iamDeny := `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"IAM:GetUs*","Resource":"*"}}`
	tests := []struct {
		name     string
		policies []string
		action   string
		want     Effect
	}{
		{"service wildcard, mixed case", []string{iamWild}, "IAM:GetUser", Allowed},
		{"service wildcard after exact-only policy", []string{exactOnly, iamWild}, "iam:GETROLE", Allowed},
		{"exact-only policy, other service", []string{exactOnly}, "iam:GetUser", ImplicitDeny},
		{"prefix shared by deny and allow", []string{iamWild, iamDeny}, "Iam:GetUserPolicy", ExplicitDeny},
		{"deny does not cover", []string{iamWild, iamDeny}, "iam:GetRole", Allowed},
		{"no colon", []string{iamWild}, "iamGetUser", ImplicitDeny},
		{"leading colon", []string{iamWild}, ":iam:GetUser", ImplicitDeny},
		{"service longer than a word", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"servicecatalog:List*","Resource":"*"}}`}, "ServiceCatalog:ListPortfolios", Allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &Input{}
			for _, doc := range tt.policies {
				p, err := Parse(doc, KindIdentity)
				if err != nil {
					t.Fatal(err)
				}
				in.Identity = append(in.Identity, p)
			}
			if got := Evaluate(in, &Request{Action: tt.action}).Effect; got != tt.want {
				t.Fatalf("Evaluate(%q) = %v, want %v", tt.action, got, tt.want)
			}
		})
	}
}

// The integer form of IpAddress decides as netip.Prefix.Contains on the unmapped, zone-less address
// (what Context.Set keeps) and the masked, unmapped block (what compileIP keeps), for IPv4 and IPv6
// addresses and blocks of every length, IPv4-mapped addresses included.
func TestIPBitsAgreeWithNetip(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	randAddr := func() netip.Addr {
		var b [16]byte
		r.Read(b[:])
		switch r.Intn(4) {
		case 0:
			return netip.AddrFrom4([4]byte(b[:4]))
		case 1: // IPv4-mapped
			return netip.AddrFrom16([16]byte{10: 0xff, 11: 0xff, 12: b[0], 13: b[1], 14: b[2], 15: b[3]})
		case 2: // near an IPv4 block: the same first bytes
			return netip.AddrFrom4([4]byte{10, b[1] & 3, b[2], b[3]})
		}
		return netip.AddrFrom16(b)
	}
	if pb := prefixBits(netip.Prefix{}); pb.contains(&ipBits{}) || pb.contains(&ipBits{v4: true}) {
		t.Fatal("an invalid block contains an address")
	}
	for i := 0; i < 200000; i++ {
		pa := randAddr()
		bits := r.Intn(pa.BitLen() + 1)
		p := netip.PrefixFrom(pa, bits).Masked()
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		a := randAddr()
		if i%3 == 0 {
			a = pa
		}
		a = a.Unmap()
		want := p.Contains(a)
		pb, ab := prefixBits(p), addrBits(a)
		if got := pb.contains(&ab); got != want {
			t.Fatalf("%v contains %v: got %v, netip says %v", p, a, got, want)
		}
	}
}

// Keys are confirmed by their first 24 bytes and length, then the rest: keys that share those
// bytes, differ only past them, or differ only by trailing NUL bytes are told apart.
func TestContextKeysAlike(t *testing.T) {
	long := "aws:PrincipalTag/department-of-"
	keys := []string{long + "a", long + "b", long + "ab", "ab", "ab\x00", "ab\x00\x00", strings.Repeat("k", 24), strings.Repeat("k", 25)}
	var ctx Context
	for i, k := range keys {
		ctx.Set(k, fmt.Sprint(i))
	}
	for i, k := range keys {
		for _, variant := range []string{k, strings.ToUpper(k)} {
			v, ok := ctx.Get(variant)
			if !ok || len(v) != 1 || v[0] != fmt.Sprint(i) {
				t.Fatalf("Get(%q) = %v, %v; want [%d]", variant, v, ok, i)
			}
		}
	}
	for _, k := range []string{long + "c", long, "a", "ab\x00\x00\x00", strings.Repeat("k", 26)} {
		if v, ok := ctx.Get(k); ok {
			t.Fatalf("Get(%q) = %v, present", k, v)
		}
	}
}

// cond.eval decides StringEquals-like and IpAddress-like conditions on a shortcut when the key
// has values; it must agree with its general rules (the same condition with the shortcut off).
func TestConditionShortcutsAgree(t *testing.T) {
	conds := []Condition{
		{"StringEquals", "aws:PrincipalTag/team", []string{"a", "b"}},
		{"StringNotEquals", "aws:PrincipalTag/team", []string{"a"}},
		{"StringEqualsIfExists", "aws:PrincipalTag/team", []string{"b"}},
		{"StringNotEqualsIfExists", "aws:PrincipalTag/team", []string{"a", "c"}},
		{"IpAddress", "aws:SourceIp", []string{"192.0.2.0/24", "2001:db8::/32"}},
		{"NotIpAddress", "aws:SourceIp", []string{"192.0.2.0/24"}},
		{"IpAddressIfExists", "aws:SourceIp", []string{"198.51.100.0/24"}},
		{"NotIpAddressIfExists", "aws:SourceIp", []string{"2001:db8::/32"}},
	}
	values := [][]string{nil, {}, {"a"}, {"b"}, {"c"}, {"a", "c"}, {"192.0.2.9"}, {"198.51.100.1"}, {"2001:db8::5"},
		{"not-an-address"}, {"not-an-address", "192.0.2.9"}, {"198.51.100.1", "192.0.2.9"}}
	shortcuts := 0
	for i, c := range conds {
		fast, msg := compileCondition(c, i, true)
		if msg != "" {
			t.Fatalf("%+v: %s", c, msg)
		}
		if fast.fast != fastNone {
			shortcuts++
		}
		general := fast
		general.fast = fastNone
		for _, v := range values {
			var ctx Context
			if v != nil {
				ctx.Set(c.Key, v...)
			}
			ft, fm := fast.eval(&ctx, &resolver{ctx: &ctx})
			gt, gm := general.eval(&ctx, &resolver{ctx: &ctx})
			if ft != gt || fm != gm {
				t.Errorf("%s %v: shortcut %v/%v, general rules %v/%v", c.Operator, v, ft, fm, gt, gm)
			}
		}
	}
	if shortcuts != len(conds) {
		t.Fatalf("%d of %d conditions took the shortcut", shortcuts, len(conds))
	}
}
