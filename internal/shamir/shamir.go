// Package shamir splits a secret into n shares of which any k recombine it and fewer reveal
// nothing (Adi Shamir, "How to Share a Secret", Communications of the ACM 22(11), 1979): each
// byte of the secret is the constant term of a random polynomial of degree k-1 over GF(2^8), and
// share x holds the polynomials' values at x. The field is AES's (FIPS 197, section 4.2: the
// polynomial x^8 + x^4 + x^3 + x + 1), and its arithmetic is written without table lookups or
// branches on secret data, so that its timing does not depend on the secret.
//
// A share is its x coordinate (1–255) followed by one byte per byte of the secret. Combine cannot
// tell a wrong share or too few shares from right ones: it returns some other secret, which the
// caller checks (Rootward compares the recombined root password with its hash).
package shamir

import (
	"crypto/rand"
	"errors"
	"io"
)

// Split returns n shares of secret, any k of which recombine it; 2 <= k <= n <= 255.
func Split(secret []byte, n, k int) ([][]byte, error) { return split(secret, n, k, rand.Reader) }

func split(secret []byte, n, k int, random io.Reader) ([][]byte, error) {
	if k < 2 || n < k || n > 255 {
		return nil, errors.New("shamir: need 2 <= k <= n <= 255")
	}
	if len(secret) == 0 {
		return nil, errors.New("shamir: empty secret")
	}
	shares := make([][]byte, n)
	for i := range shares {
		shares[i] = make([]byte, len(secret)+1)
		shares[i][0] = byte(i + 1)
	}
	coeffs := make([]byte, k) // coeffs[0] is the secret byte, the rest random
	defer clear(coeffs)
	for j, b := range secret {
		coeffs[0] = b
		if _, err := io.ReadFull(random, coeffs[1:]); err != nil {
			return nil, err
		}
		for _, s := range shares {
			s[j+1] = eval(coeffs, s[0])
		}
	}
	return shares, nil
}

// eval is the polynomial of coefficients c (constant first) at x, by Horner's rule.
func eval(c []byte, x byte) byte {
	var y byte
	for i := len(c) - 1; i >= 0; i-- {
		y = mul(y, x) ^ c[i]
	}
	return y
}

// Combine recombines the secret from shares (at least the k of the split, each with a distinct
// x): the polynomials' values at 0, by Lagrange interpolation.
func Combine(shares [][]byte) ([]byte, error) {
	if len(shares) < 2 {
		return nil, errors.New("shamir: need at least two shares")
	}
	size := len(shares[0])
	seen := map[byte]bool{}
	for _, s := range shares {
		if len(s) != size || size < 2 {
			return nil, errors.New("shamir: shares of different lengths")
		}
		if s[0] == 0 || seen[s[0]] {
			return nil, errors.New("shamir: shares need distinct nonzero x")
		}
		seen[s[0]] = true
	}
	// The Lagrange basis at 0: l_i = prod_{j != i} x_j / (x_j - x_i); subtraction is XOR.
	basis := make([]byte, len(shares))
	for i, si := range shares {
		num, den := byte(1), byte(1)
		for j, sj := range shares {
			if i != j {
				num = mul(num, sj[0])
				den = mul(den, sj[0]^si[0])
			}
		}
		basis[i] = mul(num, inv(den))
	}
	secret := make([]byte, size-1)
	for b := range secret {
		var v byte
		for i, s := range shares {
			v ^= mul(s[b+1], basis[i])
		}
		secret[b] = v
	}
	return secret, nil
}

// mul multiplies in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1, with masks instead of branches.
func mul(a, b byte) byte {
	var p byte
	for range 8 {
		p ^= -(b & 1) & a
		a = a<<1 ^ -(a>>7)&0x1b
		b >>= 1
	}
	return p
}

// inv is a's multiplicative inverse, a^254 (0 for 0).
func inv(a byte) byte {
	r := byte(1)
	for range 7 { // r = a^(2+4+…+128) = a^254, squaring as it goes
		a = mul(a, a)
		r = mul(r, a)
	}
	return r
}
