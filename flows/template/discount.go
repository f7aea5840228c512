package template

import "strconv"

// Off says what the code gives, on its own: "15% off", "$10.00 off"
// (Amount in currency; "" prints the bare number), "free shipping", "15%
// off and free shipping", or "a discount" when the discount says none of
// these. A percent outside 1 to 100 counts as none; an Amount that is not a
// decimal is an error (ErrMoney). A nil Discount gives "".
func (d *Discount) Off(currency string) (string, error) {
	if d == nil {
		return "", nil
	}
	var off string
	switch {
	case d.Percent >= 1 && d.Percent <= 100:
		off = strconv.Itoa(d.Percent) + "% off"
	case d.Amount != "":
		s, err := Money(d.Amount, currency)
		if err != nil {
			return "", err
		}
		off = s + " off"
	}
	switch {
	case off != "" && d.FreeShipping:
		return off + " and free shipping", nil
	case off != "":
		return off, nil
	case d.FreeShipping:
		return "free shipping", nil
	default:
		return "a discount", nil
	}
}

// Offer is Off worded to follow "a code for": "15% off your order", "free
// shipping on your order", "15% off and free shipping on your order", "a
// discount on your order". A nil Discount gives "".
func (d *Discount) Offer(currency string) (string, error) {
	off, err := d.Off(currency)
	if off == "" || err != nil {
		return off, err
	}
	if d.FreeShipping || off == "a discount" {
		return off + " on your order", nil
	}
	return off + " your order", nil
}
