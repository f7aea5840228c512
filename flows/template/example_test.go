package template_test

import (
	"fmt"

	"github.com/boomerang-dev/boomerang/flows/template"
)

func ExampleRender() {
	m, err := template.Render("abandoned-checkout-sms", template.CategoryMarketing, template.Sample("abandoned-checkout-sms"))
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Body)
	fmt.Println(m.Encoding, m.Segments)
	// Output:
	// Driftwood Coffee: Hi Ann, your cart is saved. Finish your order: https://demo.example.com/checkouts/ck-1/recover?key=k1
	// Reply STOP to opt out.
	// GSM-7 1
}

func ExampleMoney() {
	for _, c := range []string{"USD", "EUR", "JPY"} {
		s, _ := template.Money("1234.5", c)
		fmt.Println(s)
	}
	// Output:
	// $1,234.50
	// 1.234,50 €
	// ¥1,235
}
