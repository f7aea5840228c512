package template_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/template"
)

func TestSegments(t *testing.T) {
	t.Parallel()
	r := strings.Repeat
	for _, tc := range []struct {
		name     string
		body     string
		encoding string
		segments int
	}{
		{"empty", "", template.EncodingGSM7, 0},
		{"gsm 1", "a", template.EncodingGSM7, 1},
		{"gsm 160", r("a", 160), template.EncodingGSM7, 1},
		{"gsm 161", r("a", 161), template.EncodingGSM7, 2},
		{"gsm 306", r("a", 306), template.EncodingGSM7, 2},
		{"gsm 307", r("a", 307), template.EncodingGSM7, 3},
		{"gsm 459", r("a", 459), template.EncodingGSM7, 3},
		{"gsm 460", r("a", 460), template.EncodingGSM7, 4},
		{"gsm basic specials", "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", template.EncodingGSM7, 1},
		{"extension counts 2: 80 euros", r("€", 80), template.EncodingGSM7, 1},
		{"extension counts 2: 81 euros", r("€", 81), template.EncodingGSM7, 2},
		{"extension 159+{ is 161", r("a", 159) + "{", template.EncodingGSM7, 2},
		{"extension 158+{ is 160", r("a", 158) + "{", template.EncodingGSM7, 1},
		// 152 septets then an escape pair: the pair does not fit the first part's last septet.
		{"extension not split", r("a", 152) + "[" + r("a", 152), template.EncodingGSM7, 3},
		{"extension fits", r("a", 151) + "[" + r("a", 153), template.EncodingGSM7, 2},
		{"ucs2 70", r("ж", 70), template.EncodingUCS2, 1},
		{"ucs2 71", r("ж", 71), template.EncodingUCS2, 2},
		{"ucs2 134", r("ж", 134), template.EncodingUCS2, 2},
		{"ucs2 135", r("ж", 135), template.EncodingUCS2, 3},
		{"one non-gsm char forces ucs2", r("a", 69) + "ç", template.EncodingUCS2, 1},
		{"ucs2 via curly quote", r("a", 70) + "’", template.EncodingUCS2, 2},
		{"surrogate pairs count 2: 35 emoji", r("😀", 35), template.EncodingUCS2, 1},
		{"surrogate pairs count 2: 36 emoji", r("😀", 36), template.EncodingUCS2, 2},
		// 66 units then a pair: the pair moves to the second part.
		{"surrogate pair not split", r("a", 66) + "😀" + r("a", 66), template.EncodingUCS2, 3},
		{"surrogate pair fits", r("a", 65) + "😀" + r("a", 67), template.EncodingUCS2, 2},
	} {
		enc, n := template.Segments(tc.body)
		require.Equal(t, tc.encoding, enc, tc.name)
		require.Equal(t, tc.segments, n, tc.name)
	}
}
