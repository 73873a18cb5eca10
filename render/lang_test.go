package render

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTextLang(t *testing.T) {
	for _, tc := range []struct{ text, page, want string }{
		{"报表中心支持导出 Excel 格式", "en", "zh-CN"},
		{"报表中心支持导出 Excel 格式", "zh-CN", ""},
		{"Single sign-on with Azure AD", "zh-CN", "en"},
		{"Single sign-on with Azure AD", "en", ""},
		{"Dark mode (暗色)", "en", ""},
		{"2026-11 #42", "en", ""},
		{"", "zh-CN", ""},
	} {
		assert.Equal(t, tc.want, textLang(tc.text, tc.page), "%q on a %s page", tc.text, tc.page)
	}
}

func TestTaskListCheckboxesAreLabelled(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, markdown.Convert([]byte("- [x] 导出 `xlsx` <b>\n- [ ] two & \"three\"\n- [ ]\n"), &b))
	assert.Contains(t, b.String(), `<input type="checkbox" disabled="" checked="" aria-label="导出 xlsx"> `)
	assert.Contains(t, b.String(), `<input type="checkbox" disabled="" aria-label="two &amp; &quot;three&quot;"> `)
	assert.Contains(t, b.String(), `<input type="checkbox" disabled="" aria-label="[ ]"> `)
}
