package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/demand-registry/demand/registry/finding"
	"github.com/demand-registry/demand/registry/history"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The histories encoded on several CPUs are, byte for byte, what one
// json.Encoder writes: for none, for an empty list and for many, with
// HTML characters and Chinese text left as they are.
func TestWriteHistoriesJSON(t *testing.T) {
	when := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	var many []*history.History
	for i := range 200 {
		many = append(many, &history.History{ID: fmt.Sprintf("D-%04d", i), Path: "demands/<a&b>-订单.md", Created: &when, Deleted: i%3 == 0,
			Commits: []history.Commit{{Subject: "导出 <script> & \"quotes\"", Date: when}}})
	}
	for _, hs := range [][]*history.History{nil, {}, many[:1], many} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(historiesJSON{SchemaVersion: finding.JSONVersion, Histories: hs}))
		var got bytes.Buffer
		require.NoError(t, writeHistoriesJSON(&got, hs))
		assert.Equal(t, want.String(), got.String())
	}
}
