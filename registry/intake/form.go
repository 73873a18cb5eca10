// Package intake lets people who write no YAML submit demands: it makes a
// GitHub issue form from the registry's config, and turns the body GitHub
// renders for a submitted form back into a demand file.
package intake

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/demand-registry/demand/registry/config"
	"github.com/demand-registry/demand/templates"

	"gopkg.in/yaml.v3"
)

var idRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// FormFile is where GitHub looks for the issue form, from the repository root.
const FormFile = ".github/ISSUE_TEMPLATE/demand.yml"

// DefaultLabel is the label the form puts on every issue it opens; the
// intake workflow acts only on issues carrying it.
const DefaultLabel = "demand"

// Element kinds, as GitHub's issue forms name them.
const (
	Input    = "input"
	Dropdown = "dropdown"
	Textarea = "textarea"
)

// Element is one question of the form and the demand field it fills.
type Element struct {
	ID       string   // the form element's id
	Field    string   // the demand field (dotted for map fields); "body" for the text
	Kind     string   // Input, Dropdown or Textarea
	Label    string   // the heading GitHub renders: "### Label"
	Names    []string // other headings accepted for it: each language's label alone, the id
	Options  []Option // a dropdown's choices
	Default  int      // a dropdown's preselected option, -1 for none
	Required bool
	Help     string
}

// Option is one choice of a dropdown: the text shown (and rendered into
// the issue) and the field value it stands for.
type Option struct {
	Text, Value string
}

// Form is the issue form's questions, in order. The body comes last, so
// that headings typed inside it are never taken for questions.
type Form struct {
	Elements []Element
}

// Channel is the channel a demand submitted by the form came through, when
// the submitter does not name another.
const Channel = "feedback-form"

// bilingual joins a label's English and Chinese texts, the registry's
// language first.
func bilingual(l config.Label, lang, fallback string) string {
	first, second := l.In("en"), l["zh-CN"]
	if lang == "zh-CN" && second != "" {
		first, second = second, l.In("en")
	}
	if first == "" {
		first = fallback
	}
	if second == "" || second == first {
		return first
	}
	return first + " / " + second
}

func names(l config.Label, id string) []string {
	out := []string{id}
	for _, lang := range templates.Languages() {
		if s := l[lang]; s != "" {
			out = append(out, s)
		}
	}
	return out
}

// NewForm lays out the form for a config: title, customer and segment,
// type, urgency, importance, channel and the text, each as far as the
// config has the field (an enum field for the dropdowns).
func NewForm(cfg *config.Config) *Form {
	lang := cfg.Language
	f := &Form{}
	if fd := cfg.Fields["title"]; fd != nil {
		f.Elements = append(f.Elements, Element{ID: "title", Field: "title", Kind: Input, Default: -1, Required: true,
			Label: bilingual(fd.Label, lang, "Title"), Names: names(fd.Label, "title"),
			Help: bilingual(config.Label{"en": "One line: what the customer needs.", "zh-CN": "一句话说明客户需要什么。"}, lang, "")})
	}
	if c := cfg.Fields["customer"]; c != nil && c.Type == config.TMap {
		if n := c.Fields["name"]; n != nil && n.Type == config.TString {
			l := config.Label{"en": c.Label.In("en"), "zh-CN": c.Label["zh-CN"]}
			f.Elements = append(f.Elements, Element{ID: "customer", Field: "customer.name", Kind: Input, Default: -1,
				Label: bilingual(l, lang, "Customer"), Names: names(l, "customer")})
		}
		if s := c.Fields["segment"]; s != nil && s.Type == config.TEnum {
			f.Elements = append(f.Elements, dropdown("segment", "customer.segment", s, lang, ""))
		}
	}
	for _, name := range []string{"type", "urgency", "importance", "channel"} {
		if fd := cfg.Fields[name]; fd != nil && fd.Type == config.TEnum {
			def := ""
			if name == "channel" {
				def = Channel
			}
			f.Elements = append(f.Elements, dropdown(name, name, fd, lang, def))
		}
	}
	// The registry's own enum fields (not the built-in ones, which triage
	// decides) are asked too, in the config's order.
	builtin := config.Default().Fields
	for _, name := range cfg.FieldOrder {
		if fd := cfg.Fields[name]; fd != nil && fd.Type == config.TEnum && builtin[name] == nil && idRe.MatchString(name) && name != "body" {
			f.Elements = append(f.Elements, dropdown(name, name, fd, lang, ""))
		}
	}
	body := config.Label{"en": "Description", "zh-CN": "需求描述"}
	f.Elements = append(f.Elements, Element{ID: "body", Field: "body", Kind: Textarea, Default: -1,
		Label: bilingual(body, lang, ""), Names: names(body, "body"),
		Help: bilingual(config.Label{"en": "Background, the customer's words, what would count as done.", "zh-CN": "背景、客户原话、怎样算完成。"}, lang, "")})
	return f
}

func dropdown(id, field string, fd *config.Field, lang, def string) Element {
	e := Element{ID: id, Field: field, Kind: Dropdown, Default: -1, Label: bilingual(fd.Label, lang, id), Names: names(fd.Label, id)}
	for i, v := range fd.Values {
		e.Options = append(e.Options, Option{Text: bilingual(fd.Labels[v], lang, v) + " (" + v + ")", Value: v})
		if v == def {
			e.Default = i
		}
	}
	return e
}

// issue form YAML, as GitHub's schema names its keys.
type formYAML struct {
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Title       string        `yaml:"title,omitempty"`
	Labels      []string      `yaml:"labels"`
	Body        []elementYAML `yaml:"body"`
}

type elementYAML struct {
	Type        string         `yaml:"type"`
	ID          string         `yaml:"id,omitempty"`
	Attributes  map[string]any `yaml:"attributes"`
	Validations map[string]any `yaml:"validations,omitempty"`
}

// IssueForm renders the form as GitHub's issue-form YAML
// (.github/ISSUE_TEMPLATE/demand.yml); label is put on every issue it opens.
func IssueForm(cfg *config.Config, label string) ([]byte, error) {
	if label == "" {
		label = DefaultLabel
	}
	if strings.ContainsAny(label, ",\n\r") || strings.TrimSpace(label) != label {
		return nil, fmt.Errorf("label %q: a label is one line without commas or surrounding spaces", label)
	}
	zh := cfg.Language == "zh-CN"
	y := formYAML{
		Name:        pick(zh, "Demand", "需求"),
		Description: pick(zh, "Submit a customer demand; a pull request with the demand file follows.", "提交客户需求；随后会自动创建包含需求文件的拉取请求。"),
		Labels:      []string{label},
	}
	y.Body = append(y.Body, elementYAML{Type: "markdown", Attributes: map[string]any{"value": pick(zh,
		"Thanks! Answer what you know; leave the rest empty. A pull request with the demand file is opened for you, and linked here.\n\n感谢提交！知道的填写，不知道的留空即可。系统会自动创建需求文件的拉取请求并在此留言链接。",
		"感谢提交！知道的填写，不知道的留空即可。系统会自动创建需求文件的拉取请求并在此留言链接。\n\nThanks! Answer what you know; leave the rest empty. A pull request with the demand file is opened for you, and linked here.")}})
	for _, e := range NewForm(cfg).Elements {
		attrs := map[string]any{"label": e.Label}
		if e.Help != "" {
			attrs["description"] = e.Help
		}
		ey := elementYAML{Type: e.Kind, ID: e.ID, Attributes: attrs}
		if e.Kind == Dropdown {
			var opts []string
			for _, o := range e.Options {
				opts = append(opts, o.Text)
			}
			attrs["options"] = opts
			if e.Default >= 0 {
				attrs["default"] = e.Default
			}
		}
		if e.Required {
			ey.Validations = map[string]any{"required": true}
		}
		y.Body = append(y.Body, ey)
	}
	var buf bytes.Buffer
	buf.WriteString("# Generated by `demand issue-form` from the registry's config; run it again after changing the config.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(y); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func pick(zh bool, en, zhCN string) string {
	if zh {
		return zhCN
	}
	return en
}
