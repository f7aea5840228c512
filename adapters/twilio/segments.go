package twilio

import "unicode/utf16"

// Encodings Segments reports.
const (
	// EncodingGSM7 is the GSM 03.38 7-bit default alphabet.
	EncodingGSM7 = "GSM-7"
	// EncodingUCS2 is UCS-2 (UTF-16 code units on the wire).
	EncodingUCS2 = "UCS-2"
)

// Segment sizes: a single-part message, and each part of a concatenated
// one (whose user data header takes 6 bytes).
const (
	gsmSingle  = 160 // septets
	gsmPart    = 153
	ucs2Single = 70 // UTF-16 code units
	ucs2Part   = 67
)

// gsmBasic is the GSM 03.38 basic character set (one septet each; the
// escape code 0x1B itself is not a character).
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension is the basic set's extension table: each character costs two
// septets (the escape and the character).
const gsmExtension = "\f^{}\\[~]|€"

var gsmSeptets = func() map[rune]int {
	m := make(map[rune]int, 140)
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// Segments returns the encoding a body is sent in and how many SMS segments
// it takes. A body made only of GSM-7 characters (extension-table
// characters count two septets) is GSM-7: one segment up to 160 septets,
// else 153 per segment. Any other character makes the whole body UCS-2: one
// segment up to 70 UTF-16 code units, else 67 per segment, a character
// outside the Basic Multilingual Plane (an emoji) taking two. A character is
// never split across segments: an escape pair or a surrogate pair that
// would straddle a boundary starts the next segment. An empty body is
// GSM-7 with zero segments. Invalid UTF-8 bytes count as U+FFFD.
func Segments(body string) (encoding string, segments int) {
	if body == "" {
		return EncodingGSM7, 0
	}
	sizes := make([]int, 0, len(body))
	gsm := true
	for _, r := range body {
		n, ok := gsmSeptets[r]
		if !ok {
			gsm = false
			break
		}
		sizes = append(sizes, n)
	}
	if gsm {
		return EncodingGSM7, count(sizes, gsmSingle, gsmPart)
	}
	sizes = sizes[:0]
	for _, r := range body {
		sizes = append(sizes, utf16.RuneLen(r))
	}
	return EncodingUCS2, count(sizes, ucs2Single, ucs2Part)
}

// count packs characters of the given sizes into segments: one if they fit
// in single, else as many parts of at most part units as needed, never
// splitting a character.
func count(sizes []int, single, part int) int {
	total := 0
	for _, n := range sizes {
		total += n
	}
	if total <= single {
		return 1
	}
	segments, used := 1, 0
	for _, n := range sizes {
		if used+n > part {
			segments++
			used = 0
		}
		used += n
	}
	return segments
}
