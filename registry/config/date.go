package config

import (
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
