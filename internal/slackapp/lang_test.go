package slackapp

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// The catalogues by name, for tests.
var (
	en = langNamed("en")
	es = langNamed("es")
	zh = langNamed("zh-CN")
)

func langNamed(tag string) *lang {
	for _, l := range langs {
		if l.tag.String() == tag {
			return l
		}
	}
	panic("no catalogue " + tag)
}

// pluralForms are CLDR's plural forms of each catalogue's language
// (https://www.unicode.org/cldr/charts/latest/supplemental/language_plural_rules.html):
// a message with plural forms has exactly these.
var pluralForms = map[string][]string{
	"en":    {"one", "other"},
	"es":    {"many", "one", "other"}, // many: a million and up ("1000000 de personas")
	"zh-CN": {"other"},
}

// catalogue reads a catalogue file as go-i18n does: message ID → its
// forms ("other" for a message without plural forms).
func catalogue(t *testing.T, file string) map[string]map[string]string {
	t.Helper()
	b, err := fs.ReadFile(localeFiles, file)
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, toml.Unmarshal(b, &raw), file)
	out := map[string]map[string]string{}
	var walk func(prefix string, v map[string]any)
	walk = func(prefix string, v map[string]any) {
		for k, val := range v {
			id := strings.TrimPrefix(prefix+"."+k, ".")
			switch val := val.(type) {
			case string:
				out[id] = map[string]string{"other": val}
			case map[string]any:
				if _, ok := val["other"]; ok { // a message with plural forms
					forms := map[string]string{}
					for f, s := range val {
						forms[f], _ = s.(string)
					}
					out[id] = forms
					continue
				}
				walk(id, val)
			}
		}
	}
	walk("", raw)
	return out
}

var (
	placeholderRe = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	codeSpanRe    = regexp.MustCompile("`[^`]*`")
	slackTokenRe  = regexp.MustCompile(`<[@#!][^>]*>|:[a-z_]+:`)
)

// shape is what a translation must keep of a message: its placeholders,
// its code spans word for word, its mentions and emoji, how many bold
// markers, lines and bullets it has, and a closing "…" (a promise of more:
// the sandbox waits for it).
func shape(s string) string {
	ph := placeholderRe.FindAllStringSubmatch(s, -1)
	var names []string
	for _, m := range ph {
		names = append(names, m[1])
	}
	sort.Strings(names)
	names = slices.Compact(names)
	codes := codeSpanRe.FindAllString(s, -1)
	sort.Strings(codes)
	plain := codeSpanRe.ReplaceAllString(s, "")
	tokens := slackTokenRe.FindAllString(plain, -1)
	sort.Strings(tokens)
	return fmt.Sprintf("placeholders %v, code %q, tokens %q, %d bold markers, %d lines, %d bullets, ends in …: %v",
		names, codes, tokens, strings.Count(plain, "*"), strings.Count(s, "\n"), strings.Count(s, "•"), strings.HasSuffix(s, "…"))
}

// TestCataloguesMatch holds every translation to the English source: the
// same messages, each with its language's plural forms, and each form
// with the shape of the English one (the same placeholders, code, mentions
// and mrkdwn). A missing message or a dropped placeholder fails here.
func TestCataloguesMatch(t *testing.T) {
	t.Parallel()
	source := catalogue(t, "locales/en.toml")
	require.Greater(t, len(source), 100, "the source catalogue was read")
	files, err := fs.Glob(localeFiles, "locales/*.toml")
	require.NoError(t, err)
	require.Len(t, files, len(pluralForms), "a catalogue for each language, and its plural forms known")
	for _, file := range files {
		tag := strings.TrimSuffix(path.Base(file), ".toml")
		cat := catalogue(t, file)
		for id, want := range source {
			got, ok := cat[id]
			if !assert.True(t, ok, "%s lacks %s", file, id) {
				continue
			}
			forms := []string{"other"}
			if _, plural := want["one"]; plural {
				forms = pluralForms[tag]
			}
			assert.ElementsMatch(t, forms, slices.Collect(mapKeys(got)), "%s %s: plural forms", file, id)
			for form, text := range got {
				en, ok := want[form]
				if !ok {
					en = want["other"] // es "many" reads like English "other"
				}
				assert.Equal(t, shape(en), shape(text), "%s %s (%s): %q", file, id, form, text)
			}
		}
		for id := range cat {
			assert.Contains(t, source, id, "%s has %s, which English does not", file, id)
		}
	}
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestEveryMessageRendersInEveryLanguage says every message in every
// language with its placeholders filled and plural counts from 1 to a
// million: a template that does not run, or a plural form its language
// needs and lacks, fails here.
func TestEveryMessageRendersInEveryLanguage(t *testing.T) {
	t.Parallel()
	source := catalogue(t, "locales/en.toml")
	for _, l := range langs {
		for id, forms := range source {
			var kv []any
			for _, m := range placeholderRe.FindAllStringSubmatch(forms["other"]+forms["one"], -1) {
				if m[1] != "Count" {
					kv = append(kv, m[1], "x")
				}
			}
			for _, n := range []int{0, 1, 2, 5, 21, 1000000} {
				data := map[string]any{"Count": n}
				for i := 0; i < len(kv); i += 2 {
					data[kv[i].(string)] = kv[i+1]
				}
				var count any
				if _, plural := forms["one"]; plural {
					count = n
				}
				_, err := l.loc.Localize(localizeConfig(id, count, data))
				assert.NoError(t, err, "%s %s with %d", l.tag, id, n)
			}
		}
	}
}

// Plural forms for one, two and five people, in each language.
func TestPluralsForOneTwoAndFivePeople(t *testing.T) {
	t.Parallel()
	tests := []struct {
		l    *lang
		want [3]string
	}{
		{en, [3]string{"Inviting 1 person to meeting 914083136…", "Inviting 2 people to meeting 914083136…", "Inviting 5 people to meeting 914083136…"}},
		{es, [3]string{"Invitando a 1 persona a la reunión 914083136…", "Invitando a 2 personas a la reunión 914083136…", "Invitando a 5 personas a la reunión 914083136…"}},
		{zh, [3]string{"正在邀请 1 人加入会议 914083136…", "正在邀请 2 人加入会议 914083136…", "正在邀请 5 人加入会议 914083136…"}},
	}
	for _, tt := range tests {
		for i, n := range []int{1, 2, 5} {
			assert.Equal(t, tt.want[i], inviting(tt.l, n, "914083136"), "%s, %d", tt.l.tag, n)
		}
	}
	summaries := map[*lang][3]string{
		en: {"<@UCAROL> invited 1 person to meeting 914083136: 1 joined.", "<@UCAROL> invited 2 people to meeting 914083136: 2 joined.", "<@UCAROL> invited 5 people to meeting 914083136: 5 joined."},
		es: {"<@UCAROL> invitó a 1 persona a la reunión 914083136: 1 se unió.", "<@UCAROL> invitó a 2 personas a la reunión 914083136: 2 se unieron.", "<@UCAROL> invitó a 5 personas a la reunión 914083136: 5 se unieron."},
		zh: {"<@UCAROL> 邀请了 1 人加入 会议 914083136：1 人已加入。", "<@UCAROL> 邀请了 2 人加入 会议 914083136：2 人已加入。", "<@UCAROL> 邀请了 5 人加入 会议 914083136：5 人已加入。"},
	}
	for l, want := range summaries {
		for i, n := range []int{1, 2, 5} {
			head := invitedSummary(l, "UCAROL", n, l.t("post.meeting_title", "ID", "914083136"))
			got := callsSummary(l, head, map[commands.CallState]int{commands.CallJoined: n})
			assert.Equal(t, want[i], got, "%s, %d", l.tag, n)
		}
	}
	assert.Equal(t, "Invitando a 1000000 de personas a la reunión 914083136…", inviting(es, 1000000, "914083136"), "CLDR's many")
}

// Starting a meeting, in each language: a meeting that may have been
// started is said to be under the picker's group of one's own meetings, by
// the name that group has in the reader's language, its subject escaped;
// too many people for a meeting started count the people named and the
// host apart, in the singular too.
func TestStartMessagesInEachLanguage(t *testing.T) {
	t.Parallel()
	for l, group := range map[*lang]string{en: "*Your meetings*", es: "*Tus reuniones*", zh: "*你的会议*"} {
		text := startUnsure(l, "Stand-up <&>")
		assert.Contains(t, text, group, "%s", l.tag)
		assert.Contains(t, text, "*Stand-up &lt;&amp;&gt;*", "%s", l.tag)
		assert.Contains(t, startUnsure(l, ""), group, "%s, no subject", l.tag)
	}
	one := commands.TooManyError{Count: 2, Max: 1, Host: true} // one person named, and the host
	assert.Equal(t, "That's 1 person, and you as host; I call at most 1 at a time, you included. Name fewer people, or split them up.",
		tooManyText(en, one))
	assert.Equal(t, "Eso es 1 persona, y además tú como anfitrión; llamo como máximo a 1 cada vez, contándote a ti. Nombra a menos gente o divídela en grupos.",
		tooManyText(es, one))
	assert.Equal(t, "Elige como máximo a 1 persona: también te llamo a ti, como anfitrión (elegiste 2).",
		modalTooManyText(es, commands.TooManyError{Count: 3, Max: 2, Host: true}))
	assert.Equal(t, "最多选择 1 人：你也会以主持人身份被呼叫入会（你选择了 2 人）。",
		modalTooManyText(zh, commands.TooManyError{Count: 3, Max: 2, Host: true}))
}

// A Slack locale picks its catalogue: any Spanish is Spanish, Simplified
// Chinese is zh-CN, anything else English (Traditional Chinese included).
func TestMatchLang(t *testing.T) {
	t.Parallel()
	for locale, want := range map[string]string{
		"en-US": "en", "en-GB": "en", "es-ES": "es", "es-419": "es", "es-MX": "es", "es-LA": "es",
		"zh-CN": "zh-CN", "zh-Hans": "zh-CN", "zh-SG": "zh-CN", "zh-TW": "en", "zh-HK": "en",
		"fr-FR": "en", "ja-JP": "en", "": "en", "not a locale": "en",
	} {
		l, _ := matchLang(locale)
		assert.Equal(t, want, l.tag.String(), locale)
	}
	for _, locale := range []string{"zh-TW", "fr-FR", ""} {
		_, ok := MatchLocale(locale)
		assert.False(t, ok, "%q is no close match", locale)
	}
}

// Masked numbers are said in words, never as a row of bullets.
func TestMaskedNumbersReadWell(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "number ending in 0249", maskedNumber(en, "+99111244216210249"))
	assert.Equal(t, "número terminado en 0249", maskedNumber(es, "+99111244216210249"))
	assert.Equal(t, "尾号为 0249 的号码", maskedNumber(zh, "+99111244216210249"))
	assert.Equal(t, "number (hidden)", maskedNumber(en, "1234"))
	for _, l := range langs {
		for _, via := range []commands.Via{commands.ViaApp, commands.ViaPhone} {
			iv := commands.Invitee{Via: via, Address: "+99111244216210249", Person: commands.Person{Phone: "+99 111 244 216 210 249"}}
			text := reachText(l, iv, nil)
			assert.Contains(t, text, "0249", "%s", l.tag)
			assert.NotContains(t, text, "•", "%s: no bullets", l.tag)
			assert.NotContains(t, text, "+9911124421621", "%s: no number", l.tag)
		}
	}
}
