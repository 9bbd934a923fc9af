package slackapp

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"

	"github.com/meet-invite/meet-invite/internal/commands"
)

// The catalogues of what the bot says: locales/en.toml is the source, with
// every sentence; es.toml and zh-CN.toml translate each of its messages
// (TestCataloguesMatch keeps them whole, placeholders and mrkdwn included).
// Placeholders are Go templates ({{.ID}}); a message with plural forms is
// chosen by {{.Count}} with CLDR's rules (go-i18n).
//
//go:embed locales/*.toml
var localeFiles embed.FS

// lang is the language a message is written in: one catalogue.
type lang struct {
	tag  language.Tag
	loc  *i18n.Localizer
	glue string // between two sentences: a space, nothing in Chinese
}

// english is the source catalogue, and the language of whoever's locale no
// catalogue matches.
var english = language.English

// langs are the catalogues, English first; matcher picks among them.
var langs, matcher = mustLoadLangs()

func mustLoadLangs() ([]*lang, language.Matcher) {
	bundle := i18n.NewBundle(english)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(localeFiles, "locales/*.toml")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		if _, err := bundle.LoadMessageFileFS(localeFiles, f); err != nil {
			panic(fmt.Sprintf("slackapp: catalogue %s: %v", f, err)) // embedded: TestCataloguesMatch reads them all
		}
	}
	var out []*lang
	for _, tag := range bundle.LanguageTags() { // the bundle's default language first
		glue := " "
		if base, _ := tag.Base(); base.String() == "zh" {
			glue = ""
		}
		out = append(out, &lang{tag: tag, loc: i18n.NewLocalizer(bundle, tag.String()), glue: glue})
	}
	return out, language.NewMatcher(bundle.LanguageTags())
}

// matchLang picks the catalogue for a Slack locale: any Spanish (es-ES,
// es-419, es-MX, Slack's es-LA) is Spanish, Simplified Chinese (zh-CN,
// zh-Hans, zh-SG) is zh-CN. Anything else is English, Traditional Chinese
// (zh-TW, zh-HK) included: the matcher rates Simplified only a low match
// for it, and its readers are better served by English than by the other
// script. ok is false when no catalogue is a close match.
func matchLang(locale string) (l *lang, ok bool) {
	tag, err := language.Parse(locale)
	if err != nil {
		return langs[0], false
	}
	_, i, conf := matcher.Match(tag)
	if conf < language.High {
		return langs[0], false
	}
	return langs[i], true
}

// MatchLocale names the catalogue a locale gets ("es" for "es-ES"), and
// whether one is a close match; for DEFAULT_LOCALE.
func MatchLocale(locale string) (string, bool) {
	l, ok := matchLang(locale)
	return l.tag.String(), ok
}

// Locales names the catalogues, English first.
func Locales() []string {
	var out []string
	for _, l := range langs {
		out = append(out, l.tag.String())
	}
	return out
}

// strict fails a template that names a placeholder it was not given,
// rather than printing "<no value>".
var strict = &template.TextParser{Option: "missingkey=error"}

// t says message id in l, its placeholders filled from kv: name, value
// pairs ("ID", conferenceID).
func (l *lang) t(id string, kv ...any) string { return l.say(id, nil, kv) }

// n says message id in l in the plural form for count, which fills
// {{.Count}}.
func (l *lang) n(id string, count int, kv ...any) string { return l.say(id, count, kv) }

func (l *lang) say(id string, count any, kv []any) string {
	data := make(map[string]any, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		data[kv[i].(string)] = kv[i+1]
	}
	if count != nil {
		data["Count"] = count
	}
	s, err := l.loc.Localize(localizeConfig(id, count, data))
	if s == "" && err != nil {
		return id // every id is in every catalogue (TestCataloguesMatch)
	}
	return s
}

func localizeConfig(id string, count any, data map[string]any) *i18n.LocalizeConfig {
	return &i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count, TemplateParser: strict}
}

// sentences joins sentences as l writes them one after another.
func (l *lang) sentences(s ...string) string { return strings.Join(s, l.glue) }

// Persons looks a Slack user up (users.info, with include_locale): the app
// reads the language of their private messages from Person.Locale.
// *People implements it, remembering each person for LOOKUP_CACHE_TTL.
type Persons interface {
	Person(ctx context.Context, userID string) (commands.Person, error)
}

// langWait bounds the lookup of someone's language: past it, they are
// written to in the language they were last known to have, else in
// DEFAULT_LOCALE.
const langWait = 2 * time.Second

// langMemory is how long someone's language is remembered for the
// acknowledgements of their requests. A language seldom changes, and each
// request looks it up again (Persons remembers a person for
// LOOKUP_CACHE_TTL): an acknowledgement is in the language their previous
// request found.
const langMemory = 24 * time.Hour

// langOf is the language of what only userID sees: their Slack locale's
// catalogue, English when none matches it; DEFAULT_LOCALE when Slack gives
// none, or cannot be asked and their language is not known from before.
func (a *App) langOf(ctx context.Context, userID string) *lang {
	if a.cfg.Persons == nil || userID == "" {
		return a.def
	}
	ctx, cancel := context.WithTimeout(ctx, langWait)
	defer cancel()
	p, err := a.cfg.Persons.Person(ctx, userID)
	if err != nil {
		a.log.Debug("could not look up someone's language", "slack_user", userID, "err", err)
		if l, ok := a.langs.Get(userID); ok {
			return l
		}
		return a.def
	}
	l := a.def // Slack gives a locale when asked; none is no preference
	if p.Locale != "" {
		l, _ = matchLang(p.Locale)
	}
	a.langs.Set(userID, l)
	return l
}

// ackLang is userID's language for an acknowledgement, which never waits
// for Slack: the language found by an earlier request, else DEFAULT_LOCALE
// while it is looked up for what follows (so only someone's first
// acknowledgement in langMemory may be in DEFAULT_LOCALE).
func (a *App) ackLang(userID string) *lang {
	if l, ok := a.langs.Get(userID); ok {
		return l
	}
	if a.cfg.Persons != nil && userID != "" {
		if _, busy := a.langLookups.LoadOrStore(userID, struct{}{}); !busy { // one lookup at a time for a burst of theirs
			if !a.tasks.Go(func() {
				defer a.langLookups.Delete(userID)
				a.langOf(context.Background(), userID)
			}) {
				a.langLookups.Delete(userID) // stopping: nothing looks it up
			}
		}
	}
	return a.def
}

// postLang is the language of an invitation's post in channel: a channel
// is shared, so DEFAULT_LOCALE; a direct message with the invoker (a form
// from the global shortcut, a command in the bot's messages) is theirs.
func (a *App) postLang(ctx context.Context, channel, invoker string) *lang {
	if channel == invoker || strings.HasPrefix(channel, "D") {
		return a.langOf(ctx, invoker)
	}
	return a.def
}
