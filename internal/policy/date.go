package policy

import (
	"math"
	"time"
)

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
	// An ISO 8601 date with optional time, read as IAM's legacy parser reads it (getmoto/moto
	// tests/test_iam/test_iam_policies.py, valid documents checked against AWS): the year has one
	// to nine digits, month and day are optional and have one or two, "T" may end the value
	// ("01T" is the first instant of year 1), the hour, minute and second have one or two digits,
	// a fraction at most nine, and the offset is Z, ±hh or ±hh:mm ("+1" fails, "+23" reads).
	i := 0
	num := func(minDigits, maxDigits int) (int, bool) {
		j := i
		for j < len(s) && j-i < maxDigits && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j-i < minDigits {
			return 0, false
		}
		n := atoi(s[i:j])
		i = j
		return n, true
	}
	neg := s[0] == '-'
	if neg {
		i = 1
	}
	year, ok := num(1, 9)
	if !ok {
		return 0, false
	}
	if neg {
		year = -year
	}
	month, day := 1, 1
	if i < len(s) && s[i] == '-' {
		i++
		if month, ok = num(1, 2); !ok {
			return 0, false
		}
		if i < len(s) && s[i] == '-' {
			i++
			if day, ok = num(1, 2); !ok {
				return 0, false
			}
		}
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return 0, false
	}
	hour, minute, sec, nsec, offset := 0, 0, 0, 0, 0
	if i < len(s) {
		if s[i] != 'T' && s[i] != 't' {
			return 0, false
		}
		i++
	}
	if i < len(s) && s[i] >= '0' && s[i] <= '9' {
		hour, _ = num(1, 2)
		if i < len(s) && s[i] == ':' {
			i++
			if minute, ok = num(1, 2); !ok {
				return 0, false
			}
			if i < len(s) && s[i] == ':' {
				i++
				if sec, ok = num(1, 2); !ok {
					return 0, false
				}
				if i < len(s) && s[i] == '.' {
					i++
					start, scale := i, 100000000
					for i < len(s) && s[i] >= '0' && s[i] <= '9' {
						if i-start == 9 {
							return 0, false
						}
						nsec += int(s[i]-'0') * scale
						scale /= 10
						i++
					}
					if i == start {
						return 0, false
					}
				}
			}
		}
		if hour > 23 || minute > 59 || sec > 60 {
			return 0, false
		}
	}
	switch rest := s[i:]; {
	case rest == "" || rest == "Z" || rest == "z":
	case (len(rest) == 3 || len(rest) == 6 && rest[3] == ':' && allDigits(rest, 4, 6)) && (rest[0] == '+' || rest[0] == '-') && allDigits(rest, 1, 3):
		oh, om := atoi(rest[1:3]), 0
		if len(rest) == 6 {
			om = atoi(rest[4:6])
		}
		if oh > 23 || om > 59 {
			return 0, false
		}
		offset = (oh*60 + om) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC).Add(-time.Duration(offset) * time.Second)
	// Unix nanoseconds span the years 1678 to 2262; an instant outside them compares as the
	// earliest or latest one (UnixNano's result there is undefined).
	if t.Before(minDate) {
		return math.MinInt64, true
	}
	if t.After(maxDate) {
		return math.MaxInt64, true
	}
	return t.UnixNano(), true
}

// minDate and maxDate are the instants Unix nanoseconds can hold.
var minDate, maxDate = time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)

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
