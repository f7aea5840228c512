package twilio

import "strings"

// Keywords sms.inbound carries.
const (
	KeywordStop  = "STOP"
	KeywordStart = "START"
	KeywordHelp  = "HELP"
)

// keywords are Twilio's default opt-out, opt-in and help keywords.
var keywords = map[string]string{
	"STOP": KeywordStop, "STOPALL": KeywordStop, "UNSUBSCRIBE": KeywordStop, "CANCEL": KeywordStop,
	"END": KeywordStop, "QUIT": KeywordStop, "REVOKE": KeywordStop, "OPTOUT": KeywordStop,
	"START": KeywordStart, "YES": KeywordStart, "UNSTOP": KeywordStart,
	"HELP": KeywordHelp, "INFO": KeywordHelp,
}

// Keyword returns STOP, START or HELP when the whole trimmed body is one of
// Twilio's default keywords for it (any case), else "". Free-text opt-outs
// ("please stop texting me") are not recognised here; the processor sees
// every body in sms.inbound.
func Keyword(body string) string {
	b := strings.TrimSpace(body)
	if len(b) > len("UNSUBSCRIBE") {
		return ""
	}
	// ASCII only: strings.ToUpper would turn "ſtop" (long s) into STOP.
	up := make([]byte, len(b))
	for i := range len(b) {
		c := b[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up[i] = c
	}
	return keywords[string(up)]
}
