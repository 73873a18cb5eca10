package finding

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteFindingsEscapes: a message, hint or file name from the
// repository can neither act on a terminal nor forge a PATH:LINE:COL in
// text, nor end a GitHub workflow command's message or property.
func TestWriteFindingsEscapes(t *testing.T) {
	fs := Findings{
		{Path: "D-0001-a:9:9.md", Line: 2, Col: 3, Severity: Error, Rule: "title",
			Message: "title \x1b]0;pwned\a\x1b[2J is odd\rD-0009.md:1:1: error: forged", Hint: "fix\nit"},
		{Path: "D-0002-x\ny.md", Severity: Warning, Rule: "r,1", Message: "50% done, 报表"},
	}
	var text bytes.Buffer
	require.NoError(t, Write(&text, "text", "demands", fs))
	assert.Equal(t, `"demands/D-0001-a:9:9.md":2:3: error: title \x1b]0;pwned\a\x1b[2J is odd\rD-0009.md:1:1: error: forged (fix\nit) [title]`+"\n"+
		`"demands/D-0002-x\ny.md": warning: 50% done, 报表 [r,1]`+"\n", text.String())

	var gh bytes.Buffer
	require.NoError(t, Write(&gh, "github", "demands", fs))
	lines := strings.Split(strings.TrimSuffix(gh.String(), "\n"), "\n")
	require.Len(t, lines, 2, "one command per finding: %q", gh.String())
	// ESC and BEL shown escaped: the runner's log viewer acts on them.
	assert.Equal(t, `::error file=demands/D-0001-a%3A9%3A9.md,line=2,col=3,title=title::title \x1b]0;pwned\a\x1b[2J is odd%0DD-0009.md:1:1: error: forged (fix%0Ait)`, lines[0])
	assert.Equal(t, "::warning file=demands/D-0002-x%0Ay.md,title=r%2C1::50%25 done, 报表", lines[1])
}
