package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRoleErrors: a roles section that cannot mean what it says is an
// error at its line, with what to do.
func TestRoleErrors(t *testing.T) {
	for yml, want := range map[string]string{
		"roles: {stage: status}\n":                                    `roles: "stage" is not a role`,
		"roles: {status: {from: filename, pattern: x}}\n":             `roles.status: only the id can come from the file name`,
		"roles: {id: {from: heading}}\n":                              `roles.id: only the title can come from the first heading`,
		"roles: {id: {from: filename}}\n":                             `roles.id: from: filename needs a pattern`,
		"roles: {id: {from: filename, pattern: '(a)-(b)'}}\n":         `roles.id.pattern has more than one group`,
		"roles: {id: {from: filename, pattern: '('}}\n":               `roles.id.pattern is not a valid regular expression`,
		"roles: {status: {from: body}}\n":                             `roles.status: from "body" is not a source`,
		"roles: {status: 'a b'}\n":                                    `roles.status: "a b" is not a front-matter key`,
		"roles: {status: owner, owner: owner}\n":                      `both use the key "owner"`,
		"roles: {status: Status}\nfields: {status: {type: string}}\n": `fields.status: the registry keeps the status under "Status"`,
		"roles: {title: {from: heading, fallback: body}}\n":           `roles.title.fallback "body" is not a source`,
	} {
		_, fs := Parse("registry.yaml", []byte(yml))
		require.True(t, fs.HasErrors(), yml)
		assert.Contains(t, fs[0].Message, want, yml)
		assert.Positive(t, fs[0].Line, yml)
	}
}

// TestRolesKeys: the keys a roles section gives, both ways.
func TestRolesKeys(t *testing.T) {
	cfg, fs := Parse("registry.yaml", []byte("roles:\n  status: stage\n  received: start-date\n  title: {from: heading}\n"))
	require.False(t, fs.HasErrors(), "%v", fs)
	assert.Equal(t, "stage", cfg.Key("status"))
	assert.Equal(t, "", cfg.Key("title"))
	f, ok := cfg.FieldOf("stage")
	assert.True(t, ok)
	assert.Equal(t, "status", f)
	_, ok = cfg.FieldOf("status")
	assert.False(t, ok, "the role's own name is no key here")
	assert.False(t, cfg.HasRole("owner"), "a roles section keeps only the roles it lists")
	assert.Equal(t, "start-date", cfg.KeyPath("received"))
	assert.Equal(t, "received", cfg.FieldPath("start-date"))
}

func TestFilesExclude(t *testing.T) {
	cfg, fs := Parse("registry.yaml", []byte("files: {exclude: [PROCESS.md, 'drafts/*', '*-template.md']}\n"))
	require.False(t, fs.HasErrors(), "%v", fs)
	for p, want := range map[string]bool{"PROCESS.md": false, "sub/PROCESS.md": false, "drafts/x.md": false, "adr-template.md": false, "D-0001-x.md": true, "drafts/sub/x.md": true} {
		assert.Equal(t, want, cfg.IsDemand(p), p)
	}
	_, fs = Parse("registry.yaml", []byte("files: {exclude: ['[']}\n"))
	require.True(t, fs.HasErrors())
	assert.Contains(t, fs[0].Message, `files.exclude: "[" is not a pattern`)
}
