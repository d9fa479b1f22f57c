package shamir

import (
	"bytes"
	"testing"
)

// Multiplications FIPS 197 works out (section 4.2: {57}•{83} = {c1}, section 4.2.1: {57}•{13} =
// {fe}) and inverses of its S-box derivation ({53}•{ca} = {01}).
func TestFieldKnownVectors(t *testing.T) {
	for _, tc := range []struct{ a, b, want byte }{
		{0x57, 0x83, 0xc1}, {0x57, 0x13, 0xfe}, {0x57, 0x02, 0xae}, {0x57, 0x04, 0x47}, {0x53, 0xca, 0x01}, {0x00, 0x9d, 0x00},
	} {
		if got := mul(tc.a, tc.b); got != tc.want {
			t.Errorf("mul(%#x, %#x) = %#x, want %#x", tc.a, tc.b, got, tc.want)
		}
	}
	for a := 1; a < 256; a++ {
		if got := mul(byte(a), inv(byte(a))); got != 1 {
			t.Fatalf("%#x * inv(%#x) = %#x, want 1", a, a, got)
		}
	}
	if inv(0x53) != 0xca {
		t.Fatalf("inv(0x53) = %#x, want 0xca", inv(0x53))
	}
}

// A 2-of-3 split of 0x42 with the coefficient 0x17, worked by hand: f(x) = 0x42 + 0x17·x, so
// f(1) = 0x55, f(2) = 0x42 ^ 0x2e = 0x6c, f(3) = 0x42 ^ 0x39 = 0x7b.
func TestSplitKnownVector(t *testing.T) {
	shares, err := split([]byte{0x42}, 3, 2, bytes.NewReader([]byte{0x17}))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{{1, 0x55}, {2, 0x6c}, {3, 0x7b}}
	for i := range want {
		if !bytes.Equal(shares[i], want[i]) {
			t.Errorf("share %d = %x, want %x", i+1, shares[i], want[i])
		}
	}
	for _, pair := range [][2]int{{0, 1}, {0, 2}, {1, 2}} {
		got, err := Combine([][]byte{want[pair[0]], want[pair[1]]})
		if err != nil || !bytes.Equal(got, []byte{0x42}) {
			t.Errorf("Combine(%v) = %x, %v, want 42", pair, got, err)
		}
	}
}

func TestSplitCombineEverySubset(t *testing.T) {
	secret := []byte("correct horse battery staple, Root#2026")
	for _, tc := range []struct{ n, k int }{{3, 2}, {5, 3}, {5, 5}, {7, 4}} {
		shares, err := Split(secret, tc.n, tc.k)
		if err != nil {
			t.Fatal(err)
		}
		for mask := 0; mask < 1<<tc.n; mask++ {
			var subset [][]byte
			for i := range tc.n {
				if mask&(1<<i) != 0 {
					subset = append(subset, shares[i])
				}
			}
			if len(subset) < 2 {
				continue
			}
			got, err := Combine(subset)
			if err != nil {
				t.Fatal(err)
			}
			if ok := bytes.Equal(got, secret); ok != (len(subset) >= tc.k) {
				t.Errorf("%d-of-%d: %d shares recombine the secret: %v", tc.k, tc.n, len(subset), ok)
			}
		}
	}
}

// Fewer than k shares say nothing: one share of a 2-of-n split fits every value of a secret byte,
// each by exactly one choice of the random coefficient.
func TestTooFewSharesRevealNothing(t *testing.T) {
	counts := map[byte]int{}
	// For a 2-of-n split, share 1 = secret ^ coefficient: over the coefficients, one share value
	// fits every secret once.
	for secret := range 256 {
		for c := range 256 {
			s, _ := split([]byte{byte(secret)}, 2, 2, bytes.NewReader([]byte{byte(c)}))
			if s[0][1] == 0x5a {
				counts[byte(secret)]++
			}
		}
	}
	if len(counts) != 256 {
		t.Fatalf("share value 0x5a fits %d secrets, want all 256", len(counts))
	}
	for v, n := range counts {
		if n != 1 {
			t.Fatalf("secret %#x fits %d coefficients, want 1", v, n)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		n, k int
	}{{"k of one", 3, 1}, {"k above n", 2, 3}, {"n above 255", 256, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Split([]byte("x"), tc.n, tc.k); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if _, err := Combine([][]byte{{1, 2}, {1, 3}}); err == nil {
		t.Fatal("Combine accepted two shares of one x")
	}
	if _, err := Combine([][]byte{{1, 2}, {2, 3, 4}}); err == nil {
		t.Fatal("Combine accepted shares of different lengths")
	}
	if _, err := Split(nil, 3, 2); err == nil {
		t.Fatal("Split accepted an empty secret")
	}
}
