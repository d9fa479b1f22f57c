package policy

import "time"

// Date condition operators: DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals,
// DateGreaterThan, DateGreaterThanEquals (Condition operators page, "Date condition operators").
// Values are ISO 8601 dates/times ("2020-01-01", "2020-01-01T00:00:00Z", with optional fractional
// seconds and a ±hh:mm offset) or epoch (UNIX) seconds, as aws:CurrentTime and aws:EpochTime are
// given. Times compare as instants, at nanosecond resolution.

func compileDate(c *cond, values []string) string {
	c.times = make([]int64, 0, len(values))
	for _, v := range values {
		t, ok := parseDate(v)
		if !ok {
			// IAM's date parser is its "legacy" one: a value it cannot read fails the whole
			// document with its message (getmoto/moto tests/test_iam/test_iam_policies.py:
			// "sdfdsf", "234-13", a nanosecond fraction).
			return msgLegacyParsing
		}
		c.times = append(c.times, t)
	}
	return ""
}

// matchDate compares the request value as parseDate parsed it in Context.Set.
func matchDate(c *cond, tv *typedValue) (match, ok bool) {
	if tv.has&hasDate == 0 {
		return false, false
	}
	t := tv.date
	for _, want := range c.times {
		if compareOrdered(c.op, t, want) {
			return true, true
		}
	}
	return false, true
}

// parseDate returns the instant as Unix nanoseconds. It is hand-written so that parsing never
// allocates (time.Parse builds error values and handles layouts we do not need).
func parseDate(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	if allDigits(s, 0, len(s)) || (s[0] == '-' && len(s) > 1 && allDigits(s, 1, len(s))) {
		// Epoch seconds. Eleven or more digits beyond year 2286 are still seconds: AWS documents
		// aws:EpochTime in seconds.
		if len(s) > 12 {
			return 0, false
		}
		n := int64(0)
		start := 0
		if s[0] == '-' {
			start = 1
		}
		for i := start; i < len(s); i++ {
			n = n*10 + int64(s[i]-'0')
		}
		if start == 1 {
			n = -n
		}
		return n * int64(time.Second), true
	}
	if len(s) < 10 || s[4] != '-' || s[7] != '-' || !allDigits(s, 0, 4) || !allDigits(s, 5, 7) || !allDigits(s, 8, 10) {
		return 0, false
	}
	year, month, day := atoi(s[0:4]), atoi(s[5:7]), atoi(s[8:10])
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return 0, false
	}
	hour, minute, sec, nsec, offset := 0, 0, 0, 0, 0
	rest := s[10:]
	if rest != "" {
		if rest[0] != 'T' && rest[0] != 't' {
			return 0, false
		}
		rest = rest[1:]
		if len(rest) < 5 || rest[2] != ':' || !allDigits(rest, 0, 2) || !allDigits(rest, 3, 5) {
			return 0, false
		}
		hour, minute = atoi(rest[0:2]), atoi(rest[3:5])
		rest = rest[5:]
		if len(rest) >= 3 && rest[0] == ':' {
			if !allDigits(rest, 1, 3) {
				return 0, false
			}
			sec = atoi(rest[1:3])
			rest = rest[3:]
			if len(rest) > 1 && rest[0] == '.' {
				i := 1
				scale := 100000000
				for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
					nsec += int(rest[i]-'0') * scale
					scale /= 10
					i++
				}
				if i == 1 {
					return 0, false
				}
				rest = rest[i:]
			}
		}
		if hour > 23 || minute > 59 || sec > 60 {
			return 0, false
		}
		switch {
		case rest == "" || rest == "Z" || rest == "z":
		case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' && allDigits(rest, 1, 3) && allDigits(rest, 4, 6):
			offset = (atoi(rest[1:3])*60 + atoi(rest[4:6])) * 60
			if rest[0] == '-' {
				offset = -offset
			}
		default:
			return 0, false
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.UnixNano() - int64(offset)*int64(time.Second), true
}

func allDigits(s string, from, to int) bool {
	if to > len(s) || from >= to {
		return false
	}
	for i := from; i < to; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
