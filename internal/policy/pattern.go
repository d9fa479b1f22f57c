package policy

import (
	"strings"
	"unicode/utf8"
)

// tokKind is one element of a compiled wildcard pattern.
type tokKind uint8

const (
	tLit  tokKind = iota // literal text
	tStar                // '*': any run of characters, possibly empty
	tOne                 // '?': exactly one character
	tVar                 // ${key} or ${key, 'default'}: literal text taken from the request context
)

type token struct {
	kind   tokKind
	lit    string // tLit: the text; tVar: the default value
	key    ctxKey // tVar: the context key
	hasDef bool   // tVar: a default was given
}

// patClass lets the common shapes skip the general matcher (brief §5: exact / prefix / everything /
// general).
type patClass uint8

const (
	pcGeneral patClass = iota
	pcAny              // "*"
	pcExact            // no wildcard, no variable
	pcPrefix           // literal followed by one trailing '*'
)

// pattern is a compiled wildcard pattern. fold selects ASCII/Unicode case-insensitive comparison.
type pattern struct {
	class  patClass
	lit    string // pcExact, pcPrefix
	toks   []token
	hasVar bool
	// linear: the tokens are literals and variables, with at most a '*' at the end, as in
	// "bucket/home/${aws:username}/*"; such a pattern matches without backtracking.
	linear bool
}

// compileOpts says which syntax a pattern text uses.
type compileOpts struct {
	wildcards bool // '*' and '?' are wildcards (Action, Resource, StringLike, ArnLike)
	variables bool // ${...} is a policy variable (Version 2012-10-17, Resource and String/Arn conditions)
	lower     bool // lower-case literals (actions are case-insensitive)
}

// compilePattern tokenises text. It reports an error message for a malformed policy variable.
func compilePattern(text string, o compileOpts) (pattern, string) {
	var toks []token
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			s := lit.String()
			if o.lower {
				s = strings.ToLower(s)
			}
			toks = append(toks, token{kind: tLit, lit: s})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case o.wildcards && c == '*':
			flush()
			if n := len(toks); n == 0 || toks[n-1].kind != tStar { // "**" is the same as "*"
				toks = append(toks, token{kind: tStar})
			}
			i++
		case o.wildcards && c == '?':
			flush()
			toks = append(toks, token{kind: tOne})
			i++
		case o.variables && c == '$' && i+1 < len(text) && text[i+1] == '{':
			end := strings.IndexByte(text[i+2:], '}')
			if end < 0 {
				return pattern{}, "Invalid policy variable: unterminated ${ in " + quote(text)
			}
			body := text[i+2 : i+2+end]
			i += 2 + end + 1
			// IAM User Guide, "Special characters": ${*}, ${?} and ${$} stand for the literal
			// characters, so a policy can name a resource containing them.
			switch body {
			case "*", "?", "$":
				lit.WriteString(body)
				continue
			}
			t, msg := parseVariable(body)
			if msg != "" {
				return pattern{}, msg
			}
			flush()
			toks = append(toks, t)
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return classify(toks), ""
}

// parseVariable parses the inside of ${...}: a context key, optionally followed by a comma and a
// single-quoted default ("Specifying default values", IAM User Guide, Variables and tags page:
// ${aws:PrincipalTag/team, 'company-wide'}).
func parseVariable(body string) (token, string) {
	key, def, hasDef := body, "", false
	if i := strings.IndexByte(body, ','); i >= 0 {
		key = body[:i]
		rest := strings.TrimSpace(body[i+1:])
		if len(rest) < 2 || rest[0] != '\'' || rest[len(rest)-1] != '\'' {
			return token{}, "Invalid policy variable: default value must be quoted in ${" + body + "}"
		}
		def, hasDef = rest[1:len(rest)-1], true
	}
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " ${}'") {
		return token{}, "Invalid policy variable: ${" + body + "}"
	}
	key = strings.ToLower(key)
	return token{kind: tVar, key: newCtxKey(key), lit: def, hasDef: hasDef}, ""
}

func classify(toks []token) pattern {
	p := pattern{toks: toks, linear: true}
	for i, t := range toks {
		switch {
		case t.kind == tVar:
			p.hasVar = true
		case t.kind == tOne, t.kind == tStar && i < len(toks)-1:
			p.linear = false
		}
	}
	if p.hasVar {
		return p
	}
	switch {
	case len(toks) == 0:
		p.class = pcExact
	case len(toks) == 1 && toks[0].kind == tStar:
		p.class = pcAny
	case len(toks) == 1 && toks[0].kind == tLit:
		p.class, p.lit = pcExact, toks[0].lit
	case len(toks) == 2 && toks[0].kind == tLit && toks[1].kind == tStar:
		p.class, p.lit = pcPrefix, toks[0].lit
	}
	return p
}

// resolver looks policy variables up in the request context.
type resolver struct {
	ctx *Context
}

// resolve returns the value of a variable token. A key with exactly one value resolves to it; a
// missing, empty or multi-valued key resolves to the default if one was given, and is otherwise
// unresolved (IAM User Guide, "Policy variables with no value": a multivalued key cannot be a
// variable, and a variable without a value never matches a Resource).
func (r *resolver) resolve(t *token) (string, bool) {
	// Context.lookup accepts a nil Context; r is nil only where patterns cannot hold variables
	// (actions). linearMatch has a copy of this.
	if s := r.ctx.lookup(&t.key); s != nil && len(s.vals) == 1 {
		return s.vals[0], true
	}
	if t.hasDef {
		return t.lit, true
	}
	return "", false
}

// match reports whether s matches p. resolved is false when the pattern holds a policy variable
// that could not be resolved; matched is then false.
func (p *pattern) match(s string, fold bool, r *resolver) (matched, resolved bool) {
	switch p.class {
	case pcAny:
		return true, true
	case pcExact:
		if fold {
			return strings.EqualFold(s, p.lit), true
		}
		return s == p.lit, true
	case pcPrefix:
		return hasPrefix(s, p.lit, fold), true
	}
	if p.linear {
		return linearMatch(p.toks, s, fold, r)
	}
	return globMatch(p.toks, s, fold, r)
}

// linearMatch matches a linear pattern: each literal or variable value must come next in s, and a
// final '*' takes the rest.
func linearMatch(toks []token, s string, fold bool, r *resolver) (matched, resolved bool) {
	for i := range toks {
		t := &toks[i]
		lit := t.lit
		switch t.kind {
		case tStar:
			return true, true
		case tVar:
			// resolve, written out: this is the evaluation path's usual variable.
			if s := r.ctx.lookup(&t.key); s != nil && len(s.vals) == 1 {
				lit = s.vals[0]
			} else if !t.hasDef {
				return false, false
			}
		}
		if fold {
			if !hasPrefixFold(s, lit) {
				return false, true
			}
		} else if len(s) < len(lit) || s[:len(lit)] != lit {
			return false, true
		}
		s = s[len(lit):]
	}
	return s == "", true
}

func hasPrefix(s, prefix string, fold bool) bool {
	if fold {
		return hasPrefixFold(s, prefix)
	}
	return len(s) >= len(prefix) && s[:len(prefix)] == prefix
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// globMatch is the classic iterative wildcard matcher with one backtrack point (the latest '*'),
// generalised to multi-character literal tokens; variable tokens are compared as literals taken
// from the context at match time, so nothing is concatenated or allocated.
func globMatch(toks []token, s string, fold bool, r *resolver) (matched, resolved bool) {
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tStar:
				if ti == len(toks)-1 {
					// A trailing '*' takes whatever is left; no need to walk it back character
					// by character (the common "prefix/${var}/*" resource shape ends here).
					return true, true
				}
				starTi, starSi = ti, si
				ti++
				continue
			case tOne:
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					ti++
					continue
				}
			default:
				lit := t.lit
				if t.kind == tVar {
					v, ok := r.resolve(t)
					if !ok {
						return false, false
					}
					lit = v
				}
				if hasPrefix(s[si:], lit, fold) {
					si += len(lit)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true, true
		}
		if starTi < 0 || starSi >= len(s) {
			return false, true
		}
		_, w := utf8.DecodeRuneInString(s[starSi:])
		starSi += w
		ti, si = starTi+1, starSi
	}
}

// String returns the pattern in policy syntax (used only in tests and messages).
func (p *pattern) String() string {
	var b strings.Builder
	for _, t := range p.toks {
		switch t.kind {
		case tLit:
			b.WriteString(t.lit)
		case tStar:
			b.WriteByte('*')
		case tOne:
			b.WriteByte('?')
		case tVar:
			b.WriteString("${" + t.key.key)
			if t.hasDef {
				b.WriteString(", '" + t.lit + "'")
			}
			b.WriteByte('}')
		}
	}
	return b.String()
}

func quote(s string) string {
	const max = 200
	if len(s) > max {
		s = s[:max] + "..."
	}
	return "\"" + s + "\""
}
