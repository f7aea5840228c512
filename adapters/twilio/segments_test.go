package twilio_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/adapters/twilio"
)

func TestSegments(t *testing.T) {
	t.Parallel()
	gsm, ucs := twilio.EncodingGSM7, twilio.EncodingUCS2
	cases := []struct {
		name     string
		body     string
		encoding string
		segments int
	}{
		{"empty", "", gsm, 0},
		{"one char", "a", gsm, 1},
		{"gsm 160", strings.Repeat("a", 160), gsm, 1},
		{"gsm 161", strings.Repeat("a", 161), gsm, 2},
		{"gsm 306", strings.Repeat("a", 306), gsm, 2},
		{"gsm 307", strings.Repeat("a", 307), gsm, 3},
		{"gsm 459", strings.Repeat("a", 459), gsm, 3},
		{"gsm 460", strings.Repeat("a", 460), gsm, 4},
		{"gsm accents", "Ça coûte 5€? Non: 4£ — ", ucs, 1}, // û and — are not GSM-7
		{"gsm basic specials", "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", gsm, 1},
		{"extension counts two: 80 euros", strings.Repeat("€", 80), gsm, 1},
		{"extension counts two: 81 euros", strings.Repeat("€", 81), gsm, 2},
		{"extension at 159", strings.Repeat("a", 159) + "{", gsm, 2},
		{"extension at 158", strings.Repeat("a", 158) + "{", gsm, 1},
		// 152 septets then an escape pair: the pair does not fit in part one's 153.
		{"extension straddles a part", strings.Repeat("a", 152) + "[" + strings.Repeat("a", 153), gsm, 3},
		{"extension fits a part", strings.Repeat("a", 151) + "[" + strings.Repeat("a", 153), gsm, 2},
		{"all extension chars", "\f^{}\\[~]|€", gsm, 1},
		{"ucs2 70", strings.Repeat("é", 0) + strings.Repeat("ы", 70), ucs, 1},
		{"ucs2 71", strings.Repeat("ы", 71), ucs, 2},
		{"ucs2 134", strings.Repeat("ы", 134), ucs, 2},
		{"ucs2 135", strings.Repeat("ы", 135), ucs, 3},
		{"one emoji makes the body ucs2", strings.Repeat("a", 69) + "😀", ucs, 2},
		{"emoji are two units: 35", strings.Repeat("😀", 35), ucs, 1},
		{"emoji are two units: 36", strings.Repeat("😀", 36), ucs, 2},
		// 66 units then a surrogate pair: the pair starts part two.
		{"surrogate pair straddles a part", strings.Repeat("ы", 66) + "😀" + strings.Repeat("ы", 66), ucs, 3},
		{"surrogate pair fits a part", strings.Repeat("ы", 65) + "😀" + strings.Repeat("ы", 66), ucs, 2},
		{"lowercase c cedilla is not gsm", "ç", ucs, 1},
		{"invalid utf8", "\xff", ucs, 1},
	}
	for _, tc := range cases {
		enc, n := twilio.Segments(tc.body)
		require.Equal(t, tc.encoding, enc, tc.name)
		require.Equal(t, tc.segments, n, tc.name)
	}
}
