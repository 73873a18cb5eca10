package config

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date written YYYY-MM-DD.
type Date string

// ParseDate checks a YYYY-MM-DD date, rejecting impossible ones (2026-02-30).
func ParseDate(s string) (Date, bool) {
	if len(s) != 10 {
		return "", false
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil || t.Format("2006-01-02") != s {
		return "", false
	}
	return Date(s), true
}

// timestamp is YAML's date-time (RFC 3339 is one of its forms): the date,
// T or spaces, the time with optional fractions, and an optional zone.
var timestamp = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]*)?)?(?:[ \t]*(?:Z|z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?$`)

// TimestampPattern is the timestamp form DateOf and DateTimeOf accept, for
// JSON Schema (ECMAScript syntax).
const TimestampPattern = `^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]*)?)?(?:[ \t]*(?:Z|z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?$`

// DateTimeOf checks a date-time (or a date alone) and returns it as
// written, trimmed.
func DateTimeOf(s string) (string, bool) {
	if _, ok := ParseDate(s); ok {
		return s, true
	}
	if _, ok := DateOf(s); ok && timestamp.MatchString(s) {
		return s, true
	}
	return "", false
}

// DateOf reads a date, or a date-time kept to its day as written
// ("2014-08-14T00:00:00.000Z" is 2014-08-14, whatever the zone).
func DateOf(s string) (Date, bool) {
	if d, ok := ParseDate(s); ok {
		return d, true
	}
	m := timestamp.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	h, _ := strconv.Atoi(m[2])
	mi, _ := strconv.Atoi(m[3])
	sec, _ := strconv.Atoi(m[4]) // "" is 0
	if h > 23 || mi > 59 || sec > 60 {
		return "", false
	}
	return ParseDate(m[1])
}

// Time is the date at midnight UTC; the zero time for an empty date.
func (d Date) Time() time.Time {
	t, _ := time.Parse("2006-01-02", string(d))
	return t
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == "" }

var weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// WeekdayByName parses a weekday name (any case), or returns -1.
func WeekdayByName(s string) time.Weekday {
	for i, w := range weekdays {
		if strings.EqualFold(s, w) {
			return time.Weekday(i)
		}
	}
	return -1
}
