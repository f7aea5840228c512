package processor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/boomerang-dev/boomerang/flows"
)

// Discount is a code a run's discount step made. The engine makes the
// code; the senders create it on the store's platform (idempotently: the
// code is the identity) before the first message that shows it.
type Discount struct {
	Code         string    `json:"code"`
	Step         string    `json:"step"`
	Percent      int       `json:"percent,omitempty"`
	Amount       string    `json:"amount,omitempty"`
	FreeShipping bool      `json:"free_shipping,omitempty"`
	ProductIDs   []string  `json:"product_ids,omitempty"`
	StartsAt     time.Time `json:"starts_at"`
	ExpiresAt    time.Time `json:"expires_at,omitzero"`
}

// codeAlphabet is Crockford's base32 without the letters people misread
// (I, L, O, U): what a customer types at checkout.
var codeAlphabet = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// DefaultCodePrefix starts a code whose step names no prefix.
const DefaultCodePrefix = "SAVE"

// discountCode is the run's code for a step: the prefix and 8 characters of
// an HMAC of the run and step under the installation's key, so a retry
// makes the same code and nobody can derive another customer's.
func discountCode(key []byte, prefix, run, step string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(run + "\x00" + step))
	return prefix + "-" + codeAlphabet.EncodeToString(m.Sum(nil))[:8]
}

func (tx *txn) discount(r *Run, p *flows.Program, ins *flows.Instruction, cursor time.Time) {
	d := ins.Discount
	params := tx.paramsOf(p)
	out := Discount{
		Step: ins.StepID, Percent: d.Percent, Amount: d.Amount, FreeShipping: d.FreeShipping, StartsAt: cursor,
	}
	if d.PercentParam != "" {
		if n, ok := flows.ParamInt(params[d.PercentParam]); ok && n >= 1 && n <= 100 {
			out.Percent = n
		} else {
			out.Percent, _ = flows.ParamInt(p.Flow.Params[d.PercentParam])
		}
	}
	if exp := tx.duration(p, d.ExpiresIn, d.ExpiresInParam); exp > 0 {
		out.ExpiresAt = cursor.Add(exp)
	}
	if ins.Products != nil {
		for _, prod := range tx.products(r, ins.Products) {
			out.ProductIDs = append(out.ProductIDs, prod.ID)
		}
	}
	prefix := d.Prefix
	if prefix == "" {
		prefix = DefaultCodePrefix
	}
	out.Code = discountCode(tx.e.cfg.DiscountKey, prefix, r.ID, ins.StepID)
	if r.Discounts == nil {
		r.Discounts = map[string]Discount{}
	}
	r.Discounts[ins.StepID] = out
	r.LastDiscount = ins.StepID
	r.log(ins.StepID, "discount", tx.now, out.Code)
	tx.note(Action{Action: ActionDiscount, Flow: r.Flow, Run: r.ID, Step: ins.StepID, Detail: out.Code + " " + describe(out)})
}

// describe says what a discount gives: "10%", "5.00 off", "free shipping".
func describe(d Discount) string {
	switch {
	case d.FreeShipping:
		return "free shipping"
	case d.Amount != "":
		return d.Amount + " off"
	default:
		return fmt.Sprintf("%d%%", d.Percent)
	}
}

// Product is a product a message shows.
type Product struct {
	ID       string `json:"id"`
	Title    string `json:"title,omitempty"`
	URL      string `json:"url,omitempty"`
	ImageURL string `json:"image_url,omitempty"`
	Price    string `json:"price,omitempty"`
	Currency string `json:"currency,omitempty"`
}

// maxProducts bounds the products one message shows.
const maxProducts = 12

// products evaluates a products expression: a list of product maps (id,
// title, url, image_url, price, currency) or of product ids. Anything else
// is no products.
func (tx *txn) products(r *Run, x flows.Expr) []Product {
	v, err := x.Eval(tx.vars(r, tx.evMap()))
	if err != nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]Product, 0, min(len(list), maxProducts))
	seen := map[string]bool{}
	for _, it := range list {
		var p Product
		switch x := it.(type) {
		case string:
			p.ID = x
		case map[string]any:
			p = Product{
				ID: str(x["id"]), Title: str(x["title"]), URL: str(x["url"]), ImageURL: str(x["image_url"]),
				Price: str(x["price"]), Currency: str(x["currency"]),
			}
			if p.ID == "" {
				p.ID = str(x["product_id"])
			}
		default:
			if x != nil {
				p.ID = strings.TrimSpace(fmt.Sprint(x))
			}
		}
		if p.ID == "" || seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		out = append(out, p)
		if len(out) == maxProducts {
			break
		}
	}
	return out
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case int64, float64, int:
		return fmt.Sprint(x)
	}
	return ""
}
