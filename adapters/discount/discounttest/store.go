package discounttest

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Discount is one discount a fake holds, in platform-neutral terms, read
// back from the platform's own fields.
type Discount struct {
	// ID is the platform's id for it.
	ID string
	// Code as stored (WooCommerce lower-cases codes).
	Code string
	// Title is Shopify's title, BigCommerce's name or WooCommerce's
	// description.
	Title string
	// Percent off (10 for 10 %), or Amount off as sent, or FreeShipping.
	Percent      float64
	Amount       string
	FreeShipping bool
	// ProductIDs restrict the discount (numeric ids; Shopify GIDs as sent).
	ProductIDs []string
	// StartsAt (Shopify only) and ExpiresAt (zero: none).
	StartsAt  time.Time
	ExpiresAt time.Time
	// UsageLimit is the total uses; PerCustomerLimit the uses per customer
	// (1 for Shopify's appliesOncePerCustomer).
	UsageLimit       int
	PerCustomerLimit int
	// Raw is the create input as received (Shopify: the mutation's input
	// variable).
	Raw json.RawMessage
}

// Response is a canned answer.
type Response struct {
	Status int
	Header http.Header
	Body   string
	// Apply handles the request as usual first (a create still creates) and
	// then answers with this response instead of the real one.
	Apply bool
}

// Fake is what every platform fake offers, for suites that run against all
// three.
type Fake interface {
	Discounts() []Discount
	Discount(code string) (Discount, bool)
	Add(d Discount)
	HideFromLookup(code string, n int)
	Respond(r Response)
	Lookups() int
	Creates() int
	// RateLimited is the platform's 429 asking to wait wait.
	RateLimited(wait time.Duration) Response
	// ServerError is the platform's 500.
	ServerError() Response
	// Unauthorized is the platform's answer to a bad credential.
	Unauthorized() Response
	// Malformed is a 200 whose body is not what the API documents.
	Malformed() Response
}

// Store is the state and the controls every fake shares. It is safe for
// concurrent use.
type Store struct {
	mu        sync.Mutex
	discounts map[string]*Discount // by lower-cased code
	order     []string
	nextID    int
	queue     []Response
	hidden    map[string]int
	lookups   int
	creates   int
}

func newStore() *Store {
	return &Store{discounts: map[string]*Discount{}, hidden: map[string]int{}, nextID: 1000}
}

// key is the map key of a code: platforms compare codes without case.
func key(code string) string { return strings.ToLower(code) }

// Discounts returns every discount held, oldest first.
func (s *Store) Discounts() []Discount {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Discount, 0, len(s.order))
	for _, k := range s.order {
		out = append(out, *s.discounts[k])
	}
	return out
}

// Discount returns the discount with code (any case).
func (s *Store) Discount(code string) (Discount, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.discounts[key(code)]
	if !ok {
		return Discount{}, false
	}
	return *d, true
}

// Add stores d as if it had been created elsewhere (by the merchant or a
// concurrent worker). Its ID is set when empty.
func (s *Store) Add(d Discount) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(&d)
}

// put stores d; the caller holds mu.
func (s *Store) put(d *Discount) {
	if d.ID == "" {
		s.nextID++
		d.ID = strconv.Itoa(s.nextID)
	}
	k := key(d.Code)
	if _, ok := s.discounts[k]; !ok {
		s.order = append(s.order, k)
	}
	s.discounts[k] = d
}

// HideFromLookup makes the next n lookups of code answer "absent" even when
// it exists: the state a lookup sees when another worker creates the code
// right after it.
func (s *Store) HideFromLookup(code string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hidden[key(code)] = n
}

// Respond queues r as the answer to the next request.
func (s *Store) Respond(r Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, r)
}

// Lookups is how many lookups the fake answered (canned answers included).
func (s *Store) Lookups() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookups
}

// Creates is how many creates the fake answered (canned answers included).
func (s *Store) Creates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creates
}

// next pops the queued response, if any.
func (s *Store) next() (Response, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return Response{}, false
	}
	r := s.queue[0]
	s.queue = s.queue[1:]
	return r, true
}

// count records one lookup or create.
func (s *Store) count(create bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if create {
		s.creates++
	} else {
		s.lookups++
	}
}

// find returns the discount with code unless it is hidden from this lookup.
func (s *Store) find(code string) (Discount, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(code)
	if n := s.hidden[k]; n > 0 {
		s.hidden[k] = n - 1
		return Discount{}, false
	}
	d, ok := s.discounts[k]
	if !ok {
		return Discount{}, false
	}
	return *d, true
}

// insert stores d unless its code exists; ok is false on a duplicate.
func (s *Store) insert(d Discount) (Discount, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.discounts[key(d.Code)]; ok {
		return Discount{}, false
	}
	s.put(&d)
	return d, true
}

// exists reports whether any held discount satisfies match.
func (s *Store) exists(match func(*Discount) bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.discounts {
		if match(d) {
			return true
		}
	}
	return false
}

// serve wraps a platform handler: it reads the body, counts the request as
// a lookup or a create, and lets a queued response answer instead (after
// handling the request when it says Apply).
func (s *Store) serve(handle func(w http.ResponseWriter, r *http.Request, body []byte), isCreate func(r *http.Request, body []byte) bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		s.count(isCreate(r, body))
		canned, ok := s.next()
		switch {
		case !ok:
			handle(w, r, body)
		case canned.Apply:
			handle(discardWriter{}, r, body)
			write(w, canned)
		default:
			write(w, canned)
		}
	}
}

// write sends r.
func write(w http.ResponseWriter, r Response) {
	for k, vs := range r.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	status := r.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(r.Body))
}

// writeJSON sends v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// discardWriter swallows the real answer of an Apply response.
type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}
