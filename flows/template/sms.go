package template

import (
	"strings"
	"unicode/utf8"
)

// SMS encodings, as Message.Encoding names them.
const (
	EncodingGSM7 = "GSM-7"
	EncodingUCS2 = "UCS-2"
)

// SMS segment sizes: a single-part message holds 160 GSM-7 septets or 70
// UCS-2 code units; each part of a concatenated message loses room to the
// user-data header and holds 153 or 67.
const (
	gsmSingle  = 160
	gsmPart    = 153
	ucsSingle  = 70
	ucsPart    = 67
	maxSegWarn = 3
	// maxSMSChars is Twilio's limit on Body.
	maxSMSChars = 1600
)

// StopText is appended to a marketing SMS whose text lacks "STOP".
const StopText = "Reply STOP to opt out."

// gsmBasic is the GSM 03.38 default alphabet (one septet each), without ESC.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension is the GSM 03.38 extension table: ESC plus one septet, two in all.
const gsmExtension = "\f^{}\\[~]|€"

var gsmBasicSet, gsmExtSet = runeSet(gsmBasic), runeSet(gsmExtension)

func runeSet(s string) map[rune]bool {
	m := make(map[rune]bool, utf8.RuneCountInString(s))
	for _, r := range s {
		m[r] = true
	}
	return m
}

// Segments returns the encoding an SMS body needs (EncodingGSM7 when every
// character is in the GSM-7 alphabet or its extension table, else
// EncodingUCS2) and how many segments it is sent as. Extension characters
// take two septets and surrogate pairs two UCS-2 units, and neither is split
// across two parts. An empty body is 0 segments.
func Segments(body string) (encoding string, segments int) {
	if body == "" {
		return EncodingGSM7, 0
	}
	units := make([]int, 0, len(body))
	gsm := true
	for _, r := range body {
		switch {
		case gsmBasicSet[r]:
			units = append(units, 1)
		case gsmExtSet[r]:
			units = append(units, 2)
		default:
			gsm = false
		}
		if !gsm {
			break
		}
	}
	single, part := gsmSingle, gsmPart
	encoding = EncodingGSM7
	if !gsm {
		encoding, single, part = EncodingUCS2, ucsSingle, ucsPart
		units = units[:0]
		for _, r := range body {
			units = append(units, utf16Len(r))
		}
	}
	total := 0
	for _, u := range units {
		total += u
	}
	if total <= single {
		return encoding, 1
	}
	segments, used := 1, 0
	for _, u := range units {
		if used+u > part {
			segments++
			used = 0
		}
		used += u
	}
	return encoding, segments
}

func utf16Len(r rune) int {
	if r >= 0x10000 && r <= utf8.MaxRune {
		return 2
	}
	return 1
}

// withStop appends StopText to a marketing SMS body that lacks "STOP".
func withStop(body string) string {
	if strings.Contains(body, "STOP") {
		return body
	}
	if body == "" {
		return StopText
	}
	return body + "\n" + StopText
}
